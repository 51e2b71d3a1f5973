import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { startMockUpstream, thinkTagsReasoning, type MockUpstream } from '@switchboard/testing';
import { requireInfra } from '../../support/infra';
import { adminClient, eventually, startCluster, type System } from '../../support/harness';

jest.setTimeout(180_000);

const PROMPT = '[think-tags] hello cluster';
const REASONING = thinkTagsReasoning('hello cluster');
const ANSWER = 'Echo: hello cluster';

/**
 * think-split and stream-fake through the five services: a plugin configured on the router (Postgres) reaches the
 * gateway with the routing table over NATS, and the gateway splits the tagged answer for a streaming OpenAI chat client
 * and an Anthropic one (the request log keeps the upstream's usage), and streams a non-stream call upstream.
 */
describe('think-split and stream-fake plugins (cluster)', () => {
  let mock: MockUpstream;
  let sys: (System & { dropDatabase(): Promise<void> }) | undefined;
  let run = false;

  beforeAll(async () => {
    run = await requireInfra('postgres', 'redis', 'nats');
    if (!run) return;
    mock = await startMockUpstream();
    sys = await startCluster();
  });
  afterAll(async () => {
    await sys?.stop();
    await sys?.dropDatabase();
    await mock?.close();
  });

  it('splits a streamed chat answer and an Anthropic answer once enabled', async () => {
    if (!run) return;
    const admin = adminClient(sys!.url, sys!.adminKey);
    expect((await admin.post('/api/channels', { name: 'cl-r1', type: 'openai', baseUrl: mock.url, keys: ['k-r1'], models: ['cl-r1'] })).status).toBe(201);
    const key = String((await admin.post('/api/tokens', { name: 'cl-think' })).body.key);
    const openai = new OpenAI({ apiKey: key, baseURL: `${sys!.url}/v1`, maxRetries: 0, timeout: 20_000 });
    const anthropic = new Anthropic({ apiKey: key, baseURL: sys!.url, maxRetries: 0, timeout: 20_000 });
    await eventually(async () => (await openai.models.retrieve('cl-r1').catch(() => null)) !== null, 15_000, 'routes on the gateway');

    expect((await admin.put('/api/plugins/think-split', { enabled: true })).status).toBe(200);
    const streamed = async () => {
      const stream = await openai.chat.completions
        .create({ model: 'cl-r1', messages: [{ role: 'user', content: PROMPT }], stream: true, stream_options: { include_usage: true } })
        .withResponse();
      let content = '';
      let reasoning = '';
      let completionTokens = 0;
      for await (const chunk of stream.data) {
        const delta = (chunk.choices[0]?.delta ?? {}) as { content?: string | null; reasoning_content?: string };
        content += delta.content ?? '';
        reasoning += delta.reasoning_content ?? '';
        completionTokens = chunk.usage?.completion_tokens ?? completionTokens;
      }
      return { content, reasoning, completionTokens, requestId: stream.response.headers.get('x-request-id')! };
    };
    const split = await eventually(
      async () => {
        const r = await streamed();
        return r.content === ANSWER ? r : null;
      },
      15_000,
      'think-split active on the gateway',
    );
    expect(split.reasoning).toBe(REASONING);

    const log = await eventually(
      async () => {
        const r = await admin.get<Record<string, unknown>>(`/api/logs/${split.requestId}`);
        return r.status === 200 ? r.body : null;
      },
      15_000,
      'request log',
    );
    expect(log).toMatchObject({ status: 200, stream: true, completionTokens: split.completionTokens });

    const message = await anthropic.messages.create({ model: 'cl-r1', max_tokens: 200, messages: [{ role: 'user', content: PROMPT }] });
    expect(message.content).toMatchObject([
      { type: 'thinking', thinking: REASONING },
      { type: 'text', text: ANSWER },
    ]);
  });

  it('stream-fake on the same model: a non-stream call is streamed upstream, split and answered whole; the log names both plugins', async () => {
    if (!run) return;
    const admin = adminClient(sys!.url, sys!.adminKey);
    const key = String((await admin.post('/api/tokens', { name: 'cl-fake' })).body.key);
    const openai = new OpenAI({ apiKey: key, baseURL: `${sys!.url}/v1`, maxRetries: 0, timeout: 20_000 });
    expect((await admin.put('/api/plugins/stream-fake', { enabled: true, models: ['cl-r1'] })).status).toBe(200);
    const { data, response } = await eventually(
      async () => {
        mock.reset();
        const r = await openai.chat.completions.create({ model: 'cl-r1', messages: [{ role: 'user', content: PROMPT }] }).withResponse();
        return mock.requests.at(-1)?.stream === true ? r : null;
      },
      15_000,
      'stream-fake active on the gateway',
    );
    const message = data.choices[0].message as { content: string | null; reasoning_content?: string };
    expect([message.content, message.reasoning_content]).toEqual([ANSWER, REASONING]);
    const log = await eventually(
      async () => {
        const r = await admin.get<Record<string, unknown>>(`/api/logs/${response.headers.get('x-request-id')!}`);
        return r.status === 200 ? r.body : null;
      },
      15_000,
      'request log',
    );
    expect(log).toMatchObject({ status: 200, stream: false, plugins: { 'stream-fake': 'applied', 'think-split': 'applied' } });
  });
});
