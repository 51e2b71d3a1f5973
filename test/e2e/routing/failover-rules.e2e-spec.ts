import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { startMockUpstream, type MockUpstream } from '@switchboard/testing';
import { requireInfra } from '../../support/infra';
import { adminClient, eventually, startCluster, startStandalone, type System } from '../../support/harness';

jest.setTimeout(120_000);

/** Small ban settings so a ban would show within a test's time. */
const ENV = { RETRY_BUDGET: '3', BAN_MIN_REQUESTS: '4', BAN_PROBE_INTERVAL_MS: '60000', BAN_DURATION_MS: '60000', CHANNEL_CHECK_INTERVAL_MS: '0' };

/** What clients see when upstreams fail in particular ways (issue 13: rate limits, key bans, autoBan, sub-protocols). */
describe.each(['standalone', 'cluster'] as const)('failover answers and routing rules (%s)', (topology) => {
  let mock: MockUpstream;
  let sys: System & { dropDatabase?: () => Promise<void> };
  let run = true;
  let admin: ReturnType<typeof adminClient>;
  let key: string;
  let openai: OpenAI;

  const channel = async (body: Record<string, unknown>) => {
    const r = await admin.post('/api/channels', { type: 'openai', baseUrl: mock.url, ...body });
    expect(r.status).toBe(201);
    return r.body.id as number;
  };
  const chatRaw = (model: string, base = sys.url, headers: Record<string, string> = {}) =>
    fetch(`${base}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hello' }] }),
    });
  const hits = (k: string) => mock.requests.filter((r) => r.key === k).length;
  const bansOf = async (id: number) => (await admin.get(`/api/channels/${id}`)).body.bans as { model?: string; key?: number; reason: string }[];
  /** A new channel reaches every routing table through an event: wait until each gateway serves the model. */
  const routable = async (model: string) => {
    for (const g of sys.gateways) await eventually(async () => (await chatRaw(model, g)).status !== 404, 5_000, `${model} routable`);
    mock.reset();
  };

  beforeAll(async () => {
    if (topology === 'cluster') run = await requireInfra('postgres', 'redis', 'nats');
    if (!run) return;
    mock = await startMockUpstream();
    sys = topology === 'standalone' ? await startStandalone(ENV) : await startCluster({ gateways: 2, env: ENV });
    admin = adminClient(sys.url, sys.adminKey);
    key = String((await admin.post('/api/tokens', { name: 'failover' })).body.key);
    openai = new OpenAI({ apiKey: key, baseURL: `${sys.url}/v1`, maxRetries: 0 });
  });

  afterAll(async () => {
    await sys?.stop();
    await sys?.dropDatabase?.();
    await mock?.close();
  });

  beforeEach(() => mock?.reset());

  const it = (name: string, fn: () => Promise<void>) => global.it(name, async () => (run ? fn() : undefined));

  it('every channel rate limited → 429 with the smallest Retry-After, in each inbound shape; the follow-up waits out the back-off', async () => {
    await channel({ name: 'rl-a', keys: ['rl-a'], models: ['rl-m'], priority: 10 });
    await channel({ name: 'rl-b', keys: ['rl-b'], models: ['rl-m', 'rl-b-probe'], priority: 0 });
    await routable('rl-b-probe');
    mock.setFault({ match: { key: 'rl-a' }, status: 429, headers: { 'retry-after': '30' } });
    mock.setFault({ match: { key: 'rl-b' }, status: 429, headers: { 'retry-after': '7' } });
    const r = await chatRaw('rl-m');
    expect(r.status).toBe(429);
    expect(r.headers.get('retry-after')).toBe('7');
    expect(((await r.json()) as { error: { code: string } }).error.code).toBe('rate_limit_exceeded');
    expect([hits('rl-a'), hits('rl-b')]).toEqual([1, 1]);
    // Both channels are now in a back-off (on every replica within a second): no upstream is asked, the client is told
    // to wait until the sooner one ends.
    const other = sys.gateways[sys.gateways.length - 1];
    let seen = mock.requests.length;
    await eventually(
      async () => {
        const res = await chatRaw('rl-m', other);
        const quiet = mock.requests.length === seen;
        seen = mock.requests.length;
        return res.status === 429 && quiet;
      },
      1_000,
      'the back-offs on every replica',
    );
    const anthropic = new Anthropic({ apiKey: key, baseURL: other, maxRetries: 0 });
    const err = await anthropic.messages.create({ model: 'rl-m', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.RateLimitError);
    const e = err as InstanceType<typeof Anthropic.RateLimitError>;
    expect(Number(e.headers?.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(e.headers?.get('retry-after'))).toBeLessThanOrEqual(7);
    expect((e.error as { error: { type: string } }).error.type).toBe('rate_limit_error');
    expect(mock.requests).toHaveLength(seen);
  });

  it('one channel rate limited and one failing → 503', async () => {
    await channel({ name: 'mx-a', keys: ['mx-a'], models: ['mx-m'], priority: 10 });
    await channel({ name: 'mx-b', keys: ['mx-b'], models: ['mx-m', 'mx-b-probe'], priority: 0 });
    await routable('mx-b-probe');
    mock.setFault({ match: { key: 'mx-a' }, status: 429, times: 1 });
    mock.setFault({ match: { key: 'mx-b' }, status: 500, times: 1 });
    const r = await chatRaw('mx-m');
    expect(r.status).toBe(503);
  });

  it('a 403 for a model the key may not use excludes the channel for that request only; a revoked key is banned', async () => {
    const id = await channel({ name: 'perm', keys: ['perm'], models: ['perm-a', 'perm-b'], priority: 10 });
    await channel({ name: 'perm-backup', keys: ['perm-backup'], models: ['perm-a', 'perm-b', 'perm-probe'], priority: 0 });
    await routable('perm-probe');
    mock.setFault({
      match: { key: 'perm', model: 'perm-a' },
      status: 403,
      body: { error: { message: 'You are not allowed to sample from this model', type: 'invalid_request_error', param: null, code: null } },
    });
    for (let i = 0; i < 3; i++) expect((await chatRaw('perm-a')).status).toBe(200);
    expect(await bansOf(id)).toEqual([]);
    // The shared key still serves every other model.
    const before = hits('perm');
    expect((await chatRaw('perm-b')).status).toBe(200);
    expect(hits('perm')).toBe(before + 1);
    // A 403 that says the key itself is revoked takes the key out.
    mock.clearFaults();
    mock.setFault({
      match: { key: 'perm' },
      status: 403,
      body: { error: { message: 'This API key has been revoked.', type: 'invalid_request_error', param: null, code: null } },
      times: 1,
    });
    expect((await chatRaw('perm-b')).status).toBe(200);
    const bans = await eventually(
      async () => {
        const b = await bansOf(id);
        return b.length ? b : null;
      },
      3_000,
      'the key ban',
    );
    expect(bans).toEqual([expect.objectContaining({ key: 0, reason: 'auth' })]);
  });

  it('autoBan: false — failures exclude the channel within the request only: no error-rate ban, no back-off, no key ban', async () => {
    const off = await channel({ name: 'nb-off', keys: ['nb-off'], models: ['nb-m', 'nb-401'], priority: 10, autoBan: false });
    const on = await channel({ name: 'nb-on', keys: ['nb-on'], models: ['nb-on-m'], priority: 10 });
    await channel({ name: 'nb-backup', keys: ['nb-backup'], models: ['nb-m', 'nb-on-m', 'nb-401', 'nb-probe'], priority: 0 });
    await routable('nb-probe');
    mock.setFault({ match: { key: 'nb-off', model: 'nb-m' }, status: 500 });
    mock.setFault({ match: { key: 'nb-on' }, status: 500 });
    for (let i = 0; i < 8; i++) {
      expect((await chatRaw('nb-m')).status).toBe(200);
      expect((await chatRaw('nb-on-m')).status).toBe(200);
    }
    // The same failures banned the autoBan channel; the other one still gets every request.
    await eventually(async () => ((await bansOf(on)).length ? true : null), 3_000, 'the error-rate ban of nb-on');
    expect(hits('nb-off')).toBe(8);
    expect(await bansOf(off)).toEqual([]);
    // 429 sets no back-off: the next request tries the channel again.
    mock.clearFaults();
    mock.setFault({ match: { key: 'nb-off' }, status: 429, headers: { 'retry-after': '30' }, times: 1 });
    expect((await chatRaw('nb-m')).status).toBe(200);
    const after429 = hits('nb-off');
    expect((await chatRaw('nb-m')).status).toBe(200);
    expect(hits('nb-off')).toBe(after429 + 1);
    // 401 bans no key.
    mock.setFault({ match: { key: 'nb-off' }, status: 401, times: 1 });
    expect((await chatRaw('nb-401')).status).toBe(200);
    expect((await chatRaw('nb-401')).status).toBe(200);
    expect(mock.requests.filter((r) => r.key === 'nb-off' && r.model === 'nb-401')).toHaveLength(2);
    expect(await bansOf(off)).toEqual([]);
  });

  it('aihubmix: gemini-embedding-001 goes the OpenAI-compatible way for OpenAI and Gemini clients; chat models keep their sub-protocol', async () => {
    await admin.post('/api/channels', {
      name: `ahm-${topology}`,
      type: 'aihubmix',
      baseUrl: mock.url,
      keys: ['ahm'],
      models: ['gemini-embedding-001', 'gemini-2.5-flash'],
    });
    await eventually(async () => (await chatRaw('gemini-2.5-flash')).status === 200, 5_000, 'aihubmix routable');
    mock.reset();
    const e = await openai.embeddings.create({ model: 'gemini-embedding-001', input: ['one', 'two'] });
    expect(e.data).toHaveLength(2);
    const genai = new GoogleGenAI({ apiKey: key, httpOptions: { baseUrl: sys.url, apiVersion: 'v1beta' } });
    const g = await genai.models.embedContent({ model: 'gemini-embedding-001', contents: ['three'] });
    expect(g.embeddings?.[0]?.values?.length).toBeGreaterThan(0);
    const g2 = await genai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'hello gemini' });
    expect(g2.text).toContain('hello gemini');
    expect(mock.requests.map((r) => r.path)).toEqual(['/v1/embeddings', '/v1/embeddings', '/gemini/v1beta/models/gemini-2.5-flash:generateContent']);
  });

  it('Responses clients reach an OpenAI-compatible preset through Chat Completions, stream and not', async () => {
    await channel({ type: 'deepseek', name: 'ds', keys: ['ds'], models: ['deepseek-chat'] });
    await routable('deepseek-chat');
    const r = await openai.responses.create({ model: 'deepseek-chat', input: 'hello deepseek', max_output_tokens: 50 });
    expect(r.object).toBe('response');
    expect(r.status).toBe('completed');
    expect(r.output_text).toContain('hello deepseek');
    expect(r.usage?.input_tokens).toBeGreaterThan(0);
    const s = await openai.responses.create({ model: 'deepseek-chat', input: 'stream deepseek [chunks:4]', stream: true });
    let text = '';
    let completed: OpenAI.Responses.Response | undefined;
    for await (const ev of s) {
      if (ev.type === 'response.output_text.delta') text += ev.delta;
      if (ev.type === 'response.completed') completed = ev.response;
    }
    expect(text).toContain('stream deepseek');
    expect(completed?.output_text ?? completed?.output.length).toBeTruthy();
    expect(mock.requests.map((q) => q.path)).toEqual(['/v1/chat/completions', '/v1/chat/completions']);
    expect(mock.requests[1].stream).toBe(true);
  });
});
