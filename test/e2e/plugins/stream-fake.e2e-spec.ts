import OpenAI from 'openai';
import { startMockUpstream, type MockUpstream } from '@switchboard/testing';
import { adminClient, eventually, logOf, metricValue, startStandalone, type System } from '../../support/harness';

jest.setTimeout(120_000);

/** A first-byte timeout the mock's non-stream answers outlast while its streams start at once. */
const FIRST_BYTE_MS = 400;
const SLOW_NON_STREAM_MS = 2_500;

/**
 * stream-fake (SPEC §8): a non-stream call for a model in the plugin's scope is streamed upstream and reassembled, so a
 * generation slower to finish than the channel's first-byte timeout still answers; other models are untouched.
 */
describe('stream-fake plugin (standalone)', () => {
  let mock: MockUpstream;
  let sys: System;
  let admin: ReturnType<typeof adminClient>;
  let openai: OpenAI;

  const chat = (model: string) => openai.chat.completions.create({ model, messages: [{ role: 'user', content: 'Tell me a long story' }] }).withResponse();
  const pluginCount = (outcome: string) => metricValue(sys.url, `switchboard_plugin_requests_total{plugin="stream-fake",outcome="${outcome}"}`);

  beforeAll(async () => {
    mock = await startMockUpstream();
    // Bans would hide what a timeout does to the next call; this test looks at single calls.
    sys = await startStandalone({ BAN_MIN_REQUESTS: '1000', CHANNEL_CHECK_INTERVAL_MS: '0' });
    admin = adminClient(sys.url, sys.adminKey);
    const ch = await admin.post('/api/channels', {
      name: 'slow-json',
      type: 'openai',
      baseUrl: mock.url,
      keys: ['sk-slow'],
      models: ['sf-long', 'sf-other'],
      timeouts: { firstByteMs: FIRST_BYTE_MS },
    });
    expect(ch.status).toBe(201);
    const tok = await admin.post('/api/tokens', { name: 'stream-fake' });
    openai = new OpenAI({ apiKey: String(tok.body.key), baseURL: `${sys.url}/v1`, maxRetries: 0, timeout: 20_000 });
    await eventually(async () => (await openai.models.list()).data.some((m) => m.id === 'sf-long'), 5_000, 'routable');
  });
  afterAll(async () => {
    await sys?.stop();
    await mock?.close();
  });
  beforeEach(() => {
    mock.reset();
    mock.setFault({ match: { stream: false }, delayMs: SLOW_NON_STREAM_MS });
  });

  it('off: a non-stream call slower than the first-byte timeout fails with a timeout', async () => {
    await expect(chat('sf-long')).rejects.toMatchObject({ status: 504 });
    expect(mock.requests.map((r) => [r.model, r.stream])).toEqual([['sf-long', false]]);
  });

  it('on for one model: it is streamed upstream and answered as one completion with usage; the other model is not', async () => {
    const put = await admin.put('/api/plugins/stream-fake', { enabled: true, models: ['sf-long'] });
    expect(put.status).toBe(200);
    const applied = await pluginCount('applied');

    // The routing table reaches the gateway through an event: the first calls may still go out unstreamed.
    const { data, response } = await eventually(() => chat('sf-long').catch(() => null), 10_000, 'stream-fake active');
    expect(data).toMatchObject({ object: 'chat.completion', model: 'sf-long', choices: [{ index: 0, message: { role: 'assistant' }, finish_reason: 'stop' }] });
    expect(data.choices[0].message.content).toContain('Echo');
    expect(data.usage!.prompt_tokens).toBeGreaterThan(0);
    expect(data.usage!.completion_tokens).toBeGreaterThan(0);
    expect(response.headers.get('content-type')).toContain('application/json');

    const upstream = mock.requests.filter((r) => r.model === 'sf-long').at(-1)!;
    expect(upstream.stream).toBe(true);
    expect(upstream.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });

    // Billed as an ordinary non-stream request with the usage the stream reported.
    const log = await logOf(admin, response.headers.get('x-request-id')!);
    expect(log).toMatchObject({ status: 200, stream: false, promptTokens: data.usage!.prompt_tokens, completionTokens: data.usage!.completion_tokens });
    expect(await pluginCount('applied')).toBeGreaterThan(applied);

    mock.reset();
    mock.setFault({ match: { stream: false }, delayMs: SLOW_NON_STREAM_MS });
    await expect(chat('sf-other')).rejects.toMatchObject({ status: 504 });
    expect(mock.requests.map((r) => [r.model, r.stream])).toEqual([['sf-other', false]]);
  });
});
