import OpenAI from 'openai';
import { AckPolicy, DeliverPolicy, JSONCodec, connect, type NatsConnection } from 'nats';
import { Subjects, UsageStream, type UsageRecord } from '@switchboard/contracts';
import { startMockUpstream, type MockUpstream } from '@switchboard/testing';
import { INFRA, requireInfra } from '../../support/infra';
import { adminClient, eventually, startCluster, type System } from '../../support/harness';

jest.setTimeout(180_000);

/**
 * Completions and Moderations through the five services (cluster): the SDK against a gateway on NATS, Redis and
 * Postgres; each usage record on JetStream carries the endpoint family (`completions`, `moderations`).
 */
describe('completions and moderations (cluster)', () => {
  let mock: MockUpstream;
  let sys: (System & { dropDatabase(): Promise<void> }) | undefined;
  let nc: NatsConnection | undefined;
  let openai: OpenAI;
  let run = false;

  beforeAll(async () => {
    run = await requireInfra('postgres', 'redis', 'nats');
    if (!run) return;
    mock = await startMockUpstream();
    sys = await startCluster();
    const admin = adminClient(sys.url, sys.adminKey);
    expect(
      (await admin.post('/api/channels', { name: 'cl-anthropic', type: 'anthropic', baseUrl: mock.url, keys: ['k-a'], models: ['cl-claude'] })).status,
    ).toBe(201);
    expect(
      (
        await admin.post('/api/channels', {
          name: 'cl-openai',
          type: 'openai',
          baseUrl: mock.url,
          keys: ['k-o'],
          models: ['gpt-3.5-turbo-instruct', 'omni-moderation-latest'],
        })
      ).status,
    ).toBe(201);
    const key = String((await admin.post('/api/tokens', { name: 'cl' })).body.key);
    openai = new OpenAI({ apiKey: key, baseURL: `${sys.url}/v1`, maxRetries: 0 });
    await eventually(async () => (await openai.models.retrieve('cl-claude').catch(() => null)) !== null, 15_000, 'routes on the gateway');
    nc = await connect({ servers: INFRA.nats.url });
  });

  afterAll(async () => {
    await nc?.close();
    await sys?.stop();
    await sys?.dropDatabase();
    await mock?.close();
  });

  /** The usage records published for these request ids, read back from the durable stream. */
  async function recordsOf(ids: string[]): Promise<Map<string, UsageRecord>> {
    const js = nc!.jetstream();
    const jsm = await nc!.jetstreamManager();
    const codec = JSONCodec<{ records: UsageRecord[] }>();
    return eventually(
      async () => {
        const name = `cm-reader-${Math.random().toString(36).slice(2, 8)}`;
        await jsm.consumers.add(UsageStream.name, {
          name,
          ack_policy: AckPolicy.None,
          deliver_policy: DeliverPolicy.All,
          filter_subject: Subjects.UsageRecordedBatch,
          inactive_threshold: 30_000_000_000,
        });
        const consumer = await js.consumers.get(UsageStream.name, name);
        const found = new Map<string, UsageRecord>();
        const batch = await consumer.fetch({ max_messages: 1000, expires: 1_000 });
        for await (const m of batch) for (const r of codec.decode(m.data).records) if (ids.includes(r.requestId)) found.set(r.requestId, r);
        await jsm.consumers.delete(UsageStream.name, name).catch(() => undefined);
        return found.size === ids.length ? found : null;
      },
      20_000,
      `usage records of ${ids.join(', ')}`,
    );
  }

  it('completions (converted to Anthropic, and as they are to instruct, streamed) and moderations; records name the endpoint', async () => {
    if (!run) return;
    const converted = await openai.completions.create({ model: 'cl-claude', prompt: 'cluster hello', max_tokens: 20 }).withResponse();
    expect(converted.data.choices[0].text).toBe('Echo: cluster hello');
    const raw = await openai.completions
      .create({ model: 'gpt-3.5-turbo-instruct', prompt: 'cluster stream', stream: true, stream_options: { include_usage: true } })
      .withResponse();
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const c of raw.data) {
      text += c.choices[0]?.text ?? '';
      usage = c.usage ?? usage;
    }
    expect(text).toBe('Echo: cluster stream');
    expect(usage).toEqual({ prompt_tokens: 2, completion_tokens: 3, total_tokens: 5 });
    const mod = await openai.moderations.create({ input: ['attack now', 'tea time'] }).withResponse();
    expect(mod.data.results.map((r) => r.flagged)).toEqual([true, false]);

    const ids = [converted.response, raw.response, mod.response].map((r) => r.headers.get('x-request-id')!);
    const records = await recordsOf(ids);
    expect(ids.map((id) => records.get(id)).map((r) => [r?.endpoint, r?.protocol, r?.upstreamProtocol, r?.stream, r?.status])).toEqual([
      ['completions', 'openai-completions', 'anthropic', false, 200],
      ['completions', 'openai-completions', 'openai-completions', true, 200],
      ['moderations', 'openai-moderations', 'openai-moderations', false, 200],
    ]);
    expect(records.get(ids[1])).toMatchObject({ promptTokens: 2, completionTokens: 3 });
    expect(records.get(ids[2])!.promptTokens).toBeGreaterThan(0);
  });
});
