import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { startMockUpstream, type MockUpstream } from '@switchboard/testing';
import { adminClient, eventually, logOf, metricValue, startStandalone, type System } from '../../support/harness';

jest.setTimeout(120_000);

const PRICED = 'cache-priced';
const NO_STORE = { headers: { 'x-switchboard-cache': 'no-store' } };

/**
 * cache (SPEC §8, standalone: answers in the gateway's memory): a repeated request is answered from the cache without
 * calling the upstream (the same JSON, or the same stream replayed as a stream), in the client's protocol; `no-store`
 * bypasses it; a hit is billed at hitCostRatio and logged as a hit with no channel.
 */
describe('cache plugin (standalone)', () => {
  let mock: MockUpstream;
  let sys: System;
  let admin: ReturnType<typeof adminClient>;
  let openai: OpenAI;
  let anthropic: Anthropic;
  let n = 0;
  /** a prompt no other case sent */
  const fresh = () => `cache test ${process.pid} ${++n}`;
  const upstreamCalls = () => mock.requests.length;

  const pluginCount = (outcome: string) => metricValue(sys.url, `switchboard_plugin_requests_total{plugin="cache",outcome="${outcome}"}`);
  const chat = (model: string, content: string, opts?: OpenAI.RequestOptions) =>
    openai.chat.completions.create({ model, messages: [{ role: 'user', content }], temperature: 0.3 }, opts).withResponse();

  beforeAll(async () => {
    mock = await startMockUpstream();
    sys = await startStandalone({ CHANNEL_CHECK_INTERVAL_MS: '0' });
    admin = adminClient(sys.url, sys.adminKey);
    const ch = await admin.post('/api/channels', {
      name: 'mock',
      type: 'openai',
      baseUrl: mock.url,
      keys: ['sk-mock'],
      models: ['cache-a', 'uncached-a', PRICED],
    });
    expect(ch.status).toBe(201);
    expect((await admin.put(`/api/prices/${PRICED}`, { input: 3, output: 6, perRequest: 0.01 })).status).toBe(200);
    const tok = await admin.post('/api/tokens', { name: 'cache' });
    const key = String(tok.body.key);
    openai = new OpenAI({ apiKey: key, baseURL: `${sys.url}/v1`, maxRetries: 0, timeout: 20_000 });
    anthropic = new Anthropic({ apiKey: key, baseURL: sys.url, maxRetries: 0, timeout: 20_000 });
    const put = await admin.put('/api/plugins/cache', { enabled: true, models: ['cache-*'], hitCostRatio: 0.5, ttlSeconds: 600 });
    expect(put.status).toBe(200);
    // The routing table reaches the gateway through an event; a no-store probe stores nothing.
    await eventually(async () => (await chat('cache-a', 'probe', NO_STORE)).response.headers.get('x-switchboard-cache') === 'bypass', 10_000, 'cache active');
  });
  afterAll(async () => {
    await sys?.stop();
    await mock?.close();
  });
  beforeEach(() => mock.reset());

  it('openai chat: a miss goes upstream and is stored; the same request again is the same answer, no upstream call', async () => {
    const prompt = fresh();
    const first = await chat('cache-a', prompt);
    expect(first.response.headers.get('x-switchboard-cache')).toBe('miss');
    expect(upstreamCalls()).toBe(1);

    // the same request in another key order, with fields that do not change the answer
    const again = await openai.chat.completions
      .create({ temperature: 0.3, messages: [{ content: prompt, role: 'user' }], model: 'cache-a', user: 'someone-else', metadata: { run: '2' }, store: false })
      .withResponse();
    expect(again.response.headers.get('x-switchboard-cache')).toBe('hit');
    expect(again.response.headers.get('content-type')).toContain('application/json');
    expect(again.data).toEqual(first.data);
    expect(upstreamCalls()).toBe(1);

    // sampling stays in the key: another temperature is another answer
    const warmer = await openai.chat.completions.create({ model: 'cache-a', messages: [{ role: 'user', content: prompt }], temperature: 0.9 }).withResponse();
    expect(warmer.response.headers.get('x-switchboard-cache')).toBe('miss');
    expect(upstreamCalls()).toBe(2);

    const missLog = await logOf(admin, first.response.headers.get('x-request-id')!);
    const hitLog = await logOf(admin, again.response.headers.get('x-request-id')!);
    expect(missLog).toMatchObject({ plugins: { cache: 'miss' }, attempts: 1, status: 200 });
    expect(missLog.channelId).toEqual(expect.any(Number));
    expect(hitLog).toMatchObject({
      plugins: { cache: 'hit' },
      channelId: null,
      upstreamModel: null,
      upstreamProtocol: null,
      attempts: 0,
      status: 200,
      promptTokens: missLog.promptTokens,
      completionTokens: missLog.completionTokens,
    });

    // a model outside the plugin's scope: no header, nothing cached, no plugins logged
    const outside = await chat('uncached-a', prompt);
    expect(outside.response.headers.get('x-switchboard-cache')).toBeNull();
    expect((await chat('uncached-a', prompt)).data.id).not.toBe(outside.data.id);
    expect((await logOf(admin, outside.response.headers.get('x-request-id')!)).plugins).toBeNull();
  });

  it('openai chat stream: a hit is the stored stream replayed as a stream', async () => {
    const prompt = fresh();
    const streamed = async () => {
      const { data, response } = await openai.chat.completions
        .create({ model: 'cache-a', messages: [{ role: 'user', content: prompt }], stream: true, stream_options: { include_usage: true } })
        .withResponse();
      const chunks: OpenAI.ChatCompletionChunk[] = [];
      for await (const c of data) chunks.push(c);
      return { chunks, response };
    };
    const first = await streamed();
    expect(first.response.headers.get('x-switchboard-cache')).toBe('miss');
    expect(first.chunks.length).toBeGreaterThan(2);
    expect(upstreamCalls()).toBe(1);

    const hit = await streamed();
    expect(hit.response.headers.get('x-switchboard-cache')).toBe('hit');
    expect(hit.response.headers.get('content-type')).toContain('text/event-stream');
    expect(hit.chunks).toEqual(first.chunks);
    expect(hit.chunks.at(-1)!.usage!.completion_tokens).toBeGreaterThan(0);
    expect(upstreamCalls()).toBe(1);

    // the non-stream form of the same request is another entry
    expect((await chat('cache-a', prompt)).response.headers.get('x-switchboard-cache')).toBe('miss');
    expect(upstreamCalls()).toBe(2);
    expect(await logOf(admin, hit.response.headers.get('x-request-id')!)).toMatchObject({ plugins: { cache: 'hit' }, stream: true, channelId: null });
  });

  it('anthropic messages: a hit answers in the anthropic shape, stream included', async () => {
    const prompt = fresh();
    const ask = () => anthropic.messages.create({ model: 'cache-a', max_tokens: 64, messages: [{ role: 'user', content: prompt }] }).withResponse();
    const first = await ask();
    expect(first.response.headers.get('x-switchboard-cache')).toBe('miss');
    const hit = await ask();
    expect(hit.response.headers.get('x-switchboard-cache')).toBe('hit');
    expect(hit.data).toEqual(first.data);
    expect(hit.data.type).toBe('message');
    expect(upstreamCalls()).toBe(1);

    const stream = async () => {
      const { data, response } = await anthropic.messages
        .create({ model: 'cache-a', max_tokens: 64, messages: [{ role: 'user', content: prompt }], stream: true })
        .withResponse();
      const events: Anthropic.RawMessageStreamEvent[] = [];
      for await (const e of data) events.push(e);
      return { events, response };
    };
    const s1 = await stream();
    const s2 = await stream();
    expect([s1.response.headers.get('x-switchboard-cache'), s2.response.headers.get('x-switchboard-cache')]).toEqual(['miss', 'hit']);
    expect(s2.events).toEqual(s1.events);
    expect(s2.events.at(-1)!.type).toBe('message_stop');
    expect(upstreamCalls()).toBe(2);
  });

  it('x-switchboard-cache: no-store bypasses the cache: no read, no write', async () => {
    const prompt = fresh();
    const bypass = await chat('cache-a', prompt, NO_STORE);
    expect(bypass.response.headers.get('x-switchboard-cache')).toBe('bypass');
    expect((await chat('cache-a', prompt, NO_STORE)).response.headers.get('x-switchboard-cache')).toBe('bypass');
    expect(upstreamCalls()).toBe(2);
    // nothing was stored by the bypassed requests
    const first = await chat('cache-a', prompt);
    expect(first.response.headers.get('x-switchboard-cache')).toBe('miss');
    // and a stored answer is not read by one
    expect((await chat('cache-a', prompt, NO_STORE)).data.id).not.toBe(first.data.id);
    expect(upstreamCalls()).toBe(4);
    expect(await logOf(admin, bypass.response.headers.get('x-request-id')!)).toMatchObject({ plugins: { cache: 'bypass' }, attempts: 1 });
  });

  it('stores only answers that reached the client whole: a stream cut by the upstream or ending in its error is not kept', async () => {
    const prompt = fresh();
    const streamed = async () => {
      const { data, response } = await openai.chat.completions
        .create({ model: 'cache-a', messages: [{ role: 'user', content: prompt }], stream: true })
        .withResponse();
      let text = '';
      for await (const c of data) text += c.choices[0]?.delta?.content ?? '';
      return { text, header: response.headers.get('x-switchboard-cache') };
    };
    mock.setFault({ match: { stream: true }, times: 1, dropAfterChunks: 2 });
    await expect(streamed()).rejects.toThrow();
    mock.setFault({ match: { stream: true }, times: 1, streamErrorAfterChunks: 2 });
    await expect(streamed()).rejects.toThrow();
    expect(upstreamCalls()).toBe(2);
    const whole = await streamed();
    expect(whole.header).toBe('miss');
    expect(upstreamCalls()).toBe(3);
    expect(await streamed()).toEqual({ text: whole.text, header: 'hit' });
    expect(upstreamCalls()).toBe(3);
  });

  it('a hit is billed at hitCostRatio of the stored answer’s cost and counted as a hit', async () => {
    const hits = await pluginCount('hit');
    const misses = await pluginCount('miss');
    const prompt = fresh();
    const miss = await chat(PRICED, prompt);
    const hit = await chat(PRICED, prompt);
    expect([miss.response.headers.get('x-switchboard-cache'), hit.response.headers.get('x-switchboard-cache')]).toEqual(['miss', 'hit']);
    expect(upstreamCalls()).toBe(1);
    const missLog = await logOf(admin, miss.response.headers.get('x-request-id')!);
    const hitLog = await logOf(admin, hit.response.headers.get('x-request-id')!);
    expect(missLog.cost as number).toBeGreaterThan(0.01);
    expect(hitLog.cost as number).toBeCloseTo((missLog.cost as number) * 0.5, 6);
    expect(hitLog).toMatchObject({ plugins: { cache: 'hit' }, channelId: null, promptTokens: missLog.promptTokens });
    // each answer tells its own cost: the hit its share, not the stored answer's
    expect(Number(miss.response.headers.get('x-switchboard-cost'))).toBeCloseTo(missLog.cost as number, 6);
    expect(Number(hit.response.headers.get('x-switchboard-cost'))).toBeCloseTo(hitLog.cost as number, 6);
    expect(await pluginCount('hit')).toBe(hits + 1);
    expect(await pluginCount('miss')).toBe(misses + 1);

    // a free hit (hitCostRatio 0) costs nothing
    expect((await admin.put('/api/plugins/cache', { hitCostRatio: 0 })).status).toBe(200);
    const free = await eventually(
      async () => {
        const r = await chat(PRICED, prompt);
        const log = await logOf(admin, r.response.headers.get('x-request-id')!);
        return log.cost === 0 ? log : null;
      },
      10_000,
      'a free hit',
    );
    expect(free).toMatchObject({ plugins: { cache: 'hit' }, cost: 0 });
    expect(upstreamCalls()).toBe(1);
  });

  it('an answer larger than maxEntryBytes is not stored', async () => {
    expect((await admin.put('/api/plugins/cache', { maxEntryBytes: 64 })).status).toBe(200);
    // once the setting is in force, the same request twice misses twice
    await eventually(
      async () => {
        const prompt = fresh();
        const headers = [(await chat('cache-a', prompt)).response, (await chat('cache-a', prompt)).response].map((r) => r.headers.get('x-switchboard-cache'));
        return headers.join() === 'miss,miss';
      },
      10_000,
      'maxEntryBytes in force',
    );
  });
});
