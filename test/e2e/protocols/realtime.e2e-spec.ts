// Issue 14, Realtime: GET /v1/realtime relays OpenAI's Realtime WebSocket to OpenAI/Azure channels through the
// official SDK and a raw browser-style client; refusals before the upgrade; quota, concurrency, failover and timeouts;
// one usage record per session. Both topologies.
import OpenAI, { AzureOpenAI } from 'openai';
import { OpenAIRealtimeWS } from 'openai/realtime/ws';
import WebSocket from 'ws';
import { plainSocketTo, startMockUpstream, type MockUpstream } from '@switchboard/testing';
import { requireInfra } from '../../support/infra';
import { adminClient, eventually, startCluster, startStandalone, type System } from '../../support/harness';

jest.setTimeout(60_000);

type ServerEvent = { type: string; event_id?: string } & Record<string, unknown>;
interface Log {
  requestId: string;
  status: number;
  protocol: string;
  model: string;
  channelId: number | null;
  promptTokens: number;
  completionTokens: number;
  cacheReadTokens: number;
  cost: number;
  latencyMs: number;
  attempts: number;
  error: string | null;
}

// USD per million tokens
const PRICE = { input: 4, output: 16, cacheRead: 0.4 };
const costMicros = (u: { input: number; output: number; cached: number }) =>
  Math.round((u.input - u.cached) * PRICE.input + u.cached * PRICE.cacheRead + u.output * PRICE.output);

/** A raw client (as a browser opens it): its server events, and a wait for the next of a type. */
function rawClient(url: string, protocols: string[] = [], headers: Record<string, string> = {}) {
  const ws = new WebSocket(url, protocols, { headers });
  const seen: ServerEvent[] = [];
  const waiters: { type: string; resolve: (e: ServerEvent) => void; reject: (e: Error) => void }[] = [];
  let requestId = '';
  ws.on('upgrade', (res) => (requestId = String(res.headers['x-request-id'] ?? '')));
  ws.on('message', (d: WebSocket.RawData) => {
    const e = JSON.parse(String(d)) as ServerEvent;
    seen.push(e);
    const w = waiters.find((x) => x.type === e.type);
    if (w) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(e);
    }
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => {
      // A wait that can no longer be answered fails now rather than at the test's timeout.
      for (const w of waiters.splice(0))
        w.reject(new Error(`closed (${code} ${String(reason)}) while waiting for ${w.type}; saw ${seen.map((e) => e.type).join(', ')}`));
      resolve({ code, reason: String(reason) });
    }),
  );
  let failure = '';
  ws.on('unexpected-response', (_req, res) => {
    failure = `upgrade refused with ${res.statusCode}`;
    ws.terminate();
  });
  ws.on('error', (e) => (failure ||= e.message));
  return {
    ws,
    seen,
    closed,
    requestId: () => requestId,
    next: (type: string) =>
      new Promise<ServerEvent>((resolve, reject) => {
        if (ws.readyState === ws.CLOSED) reject(new Error(`closed before ${type}: ${failure}`));
        else waiters.push({ type, resolve, reject: (e) => reject(new Error(`${e.message} ${failure}`)) });
      }),
    send: (e: unknown) => ws.send(JSON.stringify(e)),
  };
}

/** The HTTP answer to an upgrade the gateway refuses (101 when it is accepted). */
function upgradeAnswer(url: string, headers: Record<string, string> = {}, protocols: string[] = []) {
  return new Promise<{ status: number; body: Record<string, unknown> | null; headers: Record<string, unknown> }>((resolve) => {
    const ws = new WebSocket(url, protocols, { headers });
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: body ? (JSON.parse(body) as Record<string, unknown>) : null, headers: res.headers }));
    });
    ws.on('upgrade', (res) => {
      resolve({ status: 101, body: null, headers: res.headers });
      ws.close();
    });
    ws.on('error', (e) => resolve({ status: 0, body: { error: e.message }, headers: {} }));
  });
}

describe.each(['standalone', 'cluster'] as const)('Realtime WebSocket relay (%s)', (topology) => {
  let mock: MockUpstream;
  let sys: System & { dropDatabase?: () => Promise<void> };
  let run = true;
  let admin: ReturnType<typeof adminClient>;
  let key: string;
  let mainChannel: number;
  const wsBase = () => sys.url.replace(/^http/, 'ws');

  const channel = async (body: Record<string, unknown>) => {
    const r = await admin.post('/api/channels', { type: 'openai', baseUrl: mock.url, ...body });
    expect(r.status).toBe(201);
    return r.body.id as number;
  };
  const token = async (body: Record<string, unknown> = {}) => {
    const r = await admin.post('/api/tokens', { name: `rt-${Math.random().toString(36).slice(2, 8)}`, ...body });
    expect(r.status).toBe(201);
    return String(r.body.key);
  };
  /** A new channel reaches every routing table through an event: wait until every gateway serves the model. */
  const routable = async (model: string) => {
    for (const g of sys.gateways) {
      await eventually(
        async () => (await upgradeAnswer(`${g.replace(/^http/, 'ws')}/v1/realtime?model=${model}`, { authorization: `Bearer ${key}` })).status !== 404,
        5_000,
        `${model} routable`,
      );
    }
  };
  const logOf = (requestId: string, what = 'the session log') =>
    eventually(
      async () => {
        const r = await admin.get<Log>(`/api/logs/${requestId}`);
        return r.status === 200 ? r.body : null;
      },
      10_000,
      what,
    );

  beforeAll(async () => {
    if (topology === 'cluster') run = await requireInfra('postgres', 'redis', 'nats');
    if (!run) return;
    mock = await startMockUpstream();
    sys = topology === 'standalone' ? await startStandalone({ RETRY_BUDGET: '3' }) : await startCluster({ env: { RETRY_BUDGET: '3' } });
    admin = adminClient(sys.url, sys.adminKey);
    key = await token();
    mainChannel = await channel({ name: 'rt-main', keys: ['rt-key'], models: ['gpt-realtime', 'rt-pricey', 'rt-limited'] });
    expect((await admin.put('/api/prices/gpt-realtime', PRICE)).status).toBe(200);
    expect((await admin.put('/api/prices/rt-pricey', { input: 1000, output: 1000 })).status).toBe(200);
    expect((await admin.put('/api/prices/rt-limited', PRICE)).status).toBe(200);
    await routable('gpt-realtime');
  });

  afterAll(async () => {
    await sys?.stop();
    await sys?.dropDatabase?.();
    await mock?.close();
  });

  beforeEach(() => mock?.reset());

  const it = (name: string, fn: () => Promise<void>) => global.it(name, async () => (run ? fn() : undefined));

  it('a session through the official SDK: events relayed, each response.done billed, the session logged once with its tokens and cost', async () => {
    const client = new OpenAI({ apiKey: key, baseURL: `${sys.url}/v1` });
    const rt = new OpenAIRealtimeWS({ model: 'gpt-realtime', options: plainSocketTo(sys.url) }, client);
    let requestId = '';
    rt.socket.on('upgrade', (res) => (requestId = String(res.headers['x-request-id'])));
    const created = await new Promise<OpenAI.Realtime.SessionCreatedEvent>((resolve, reject) => {
      rt.on('session.created', resolve);
      rt.on('error', reject);
    });
    expect(created.session).toMatchObject({ model: 'gpt-realtime' });
    const dones: OpenAI.Realtime.ResponseDoneEvent[] = [];
    const deltas: string[] = [];
    rt.on('response.output_text.delta', (e) => deltas.push(e.delta));
    const nextDone = () => new Promise<OpenAI.Realtime.ResponseDoneEvent>((resolve) => rt.once('response.done', resolve));
    rt.send({ type: 'session.update', session: { type: 'realtime', output_modalities: ['text'] } });
    rt.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hello realtime' }] } });
    rt.send({ type: 'response.create' });
    dones.push(await nextDone());
    expect(deltas.join('')).toBe('Echo: hello realtime');
    rt.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'and again [cache:3]' }] } });
    rt.send({ type: 'response.create' });
    dones.push(await nextDone());
    const closed = new Promise<void>((resolve) => rt.socket.once('close', () => resolve()));
    rt.close();
    await closed;

    // The upstream got the channel's key as a Bearer header and the session's frames in order.
    expect(mock.requests).toHaveLength(1);
    expect(mock.requests[0]).toMatchObject({ path: '/v1/realtime?model=gpt-realtime', key: 'rt-key' });
    expect(mock.realtimeEvents.map((e) => e.type)).toEqual([
      'session.update',
      'conversation.item.create',
      'response.create',
      'conversation.item.create',
      'response.create',
    ]);

    const usage = dones.map((d) => d.response.usage!);
    const sum = (f: (u: (typeof usage)[number]) => number) => usage.reduce((n, u) => n + f(u), 0);
    const log = await logOf(requestId);
    expect(log).toMatchObject({
      status: 200,
      protocol: 'openai-realtime',
      model: 'gpt-realtime',
      channelId: mainChannel,
      promptTokens: sum((u) => u.input_tokens!),
      completionTokens: sum((u) => u.output_tokens!),
      cacheReadTokens: 3,
    });
    const expected = usage.reduce(
      (n, u) => n + costMicros({ input: u.input_tokens!, output: u.output_tokens!, cached: u.input_token_details!.cached_tokens! }),
      0,
    );
    expect(Math.round(log.cost * 1e6)).toBe(expected);
    expect(expected).toBeGreaterThan(0);
  });

  it('a browser-style client with the key as a subprotocol: `realtime` echoed, binary frames relayed, an upstream cut ends the client with 1011 and a 502 log', async () => {
    const c = rawClient(`${wsBase()}/v1/realtime?model=gpt-realtime`, ['realtime', `openai-insecure-api-key.${key}`, 'openai-beta.realtime-v1']);
    await c.next('session.created');
    expect(c.ws.protocol).toBe('realtime');
    // The beta subprotocol asks the upstream for the beta protocol; the upstream never sees the client's key.
    expect(mock.requests[0].headers['openai-beta']).toBe('realtime=v1');
    expect(mock.requests[0].key).toBe('rt-key');
    c.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    const err = await c.next('error');
    expect(err.error).toMatchObject({ code: 'invalid_json' });
    expect(mock.realtimeEvents.map((e) => e.type)).toEqual(['binary']);

    // The next session's upstream drops the connection mid-response.
    mock.setFault({ match: { path: 'rt-limited' }, dropAfterChunks: 3 });
    const cut = rawClient(`${wsBase()}/v1/realtime?model=rt-limited`, ['realtime', `openai-insecure-api-key.${key}`]);
    await cut.next('session.created');
    cut.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] } });
    cut.send({ type: 'response.create' });
    expect((await cut.closed).code).toBe(1011);
    expect(await logOf(cut.requestId())).toMatchObject({ status: 502, protocol: 'openai-realtime' });
    c.ws.close(1000);
    expect((await c.closed).code).toBe(1000);
    expect((await logOf(c.requestId())).status).toBe(200);
  });

  it("Azure: the SDK's AzureOpenAI client on /openai/realtime?deployment=…, relayed to an azure channel's v1 path with api-key", async () => {
    await channel({ type: 'azure', name: 'rt-azure', keys: ['az-key'], models: ['rt-az-dep'] });
    await routable('rt-az-dep');
    mock.reset();
    const client = new AzureOpenAI({ apiKey: key, endpoint: sys.url, apiVersion: '2025-04-01-preview', deployment: 'rt-az-dep' });
    const rt = await OpenAIRealtimeWS.azure(client, { options: plainSocketTo(sys.url) });
    const created = await new Promise<OpenAI.Realtime.SessionCreatedEvent>((resolve, reject) => {
      rt.on('session.created', resolve);
      rt.on('error', reject);
    });
    expect(created.session).toMatchObject({ model: 'rt-az-dep' });
    rt.close();
    expect(mock.requests[0]).toMatchObject({ path: '/openai/v1/realtime?model=rt-az-dep', key: 'az-key' });
    expect(mock.requests[0].headers['api-key']).toBe('az-key');
  });

  it('refusals come before the upgrade as HTTP answers in OpenAI error shape: bad key 401, no key 401, model not allowed 403, unknown model 404', async () => {
    const url = `${wsBase()}/v1/realtime?model=gpt-realtime`;
    const bad = await upgradeAnswer(url, { authorization: 'Bearer sk-not-a-key' });
    expect(bad.status).toBe(401);
    expect(bad.body).toMatchObject({ error: { code: 'invalid_api_key', type: 'invalid_request_error' } });
    expect(bad.headers['x-request-id']).toBeTruthy();
    expect((await upgradeAnswer(url, {}, ['realtime', 'openai-insecure-api-key.sk-nope'])).status).toBe(401);
    expect((await upgradeAnswer(url)).status).toBe(401);
    const limited = await token({ models: ['rt-limited'] });
    const forbidden = await upgradeAnswer(url, { authorization: `Bearer ${limited}` });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body).toMatchObject({ error: { code: 'model_not_allowed' } });
    const unknown = await upgradeAnswer(`${wsBase()}/v1/realtime?model=no-such-model`, { authorization: `Bearer ${key}` });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ error: { code: 'model_not_found' } });
    // A plain GET (no upgrade) is told what the endpoint is.
    const plain = await fetch(`${sys.url}/v1/realtime?model=gpt-realtime`, { headers: { authorization: `Bearer ${key}` } });
    expect(plain.status).toBe(426);
    expect(await plain.json()).toMatchObject({ error: { code: 'upgrade_required' } });
    expect(mock.requests).toHaveLength(0);
  });

  it('a budget spent mid-session refuses response.create the same way, naming the budget', async () => {
    const t = await token({ budget: { amount: 0.008, period: 'day' } });
    await routable('rt-pricey');
    const c = rawClient(`${wsBase()}/v1/realtime?model=rt-pricey`, [], { authorization: `Bearer ${t}` });
    await c.next('session.created');
    c.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi there' }] } });
    c.send({ type: 'response.create', response: { output_modalities: ['text'], max_output_tokens: 5 } });
    await c.next('response.done');
    c.send({ type: 'response.create', event_id: 'evt_over', response: { output_modalities: ['text'], max_output_tokens: 5 } });
    const refused = await c.next('error');
    expect(refused.error).toMatchObject({ code: 'insufficient_quota', type: 'insufficient_quota', event_id: 'evt_over' });
    expect((refused.error as { message: string }).message).toMatch(/daily budget of \$0\.008 for token \d+ is spent/);
    c.ws.close();
    await c.closed;
  });

  it('a quota exhausted mid-session refuses response.create with a Realtime error event and does not forward it', async () => {
    // $1000 per million tokens, a $0.008 quota: the first response (2 in, 3 out = $0.005) fits; the second cannot.
    const t = await token({ quota: 0.008 });
    await routable('rt-pricey');
    const c = rawClient(`${wsBase()}/v1/realtime?model=rt-pricey`, [], { authorization: `Bearer ${t}` });
    await c.next('session.created');
    c.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi there' }] } });
    c.send({ type: 'response.create', response: { output_modalities: ['text'], max_output_tokens: 5 } });
    const first = await c.next('response.done');
    expect((first.response as { usage: { input_tokens: number; output_tokens: number } }).usage).toMatchObject({ input_tokens: 2, output_tokens: 3 });
    c.send({ type: 'response.create', event_id: 'evt_second', response: { output_modalities: ['text'], max_output_tokens: 5 } });
    const refused = await c.next('error');
    expect(refused.error).toMatchObject({ code: 'insufficient_quota', type: 'insufficient_quota', event_id: 'evt_second' });
    // Frames after the refused one still flow, in order.
    c.send({ type: 'input_audio_buffer.clear' });
    await c.next('input_audio_buffer.cleared');
    expect(mock.realtimeEvents.map((e) => e.type)).toEqual(['conversation.item.create', 'response.create', 'input_audio_buffer.clear']);
    c.ws.close();
    await c.closed;
    const log = await logOf(c.requestId());
    expect(log).toMatchObject({ status: 200, promptTokens: 2, completionTokens: 3 });
    expect(Math.round(log.cost * 1e6)).toBe(5_000);
    // Its spend was settled on the key's counter when it closed: a new session has $0.003 left, not enough for one.
    await eventually(
      async () => {
        const n = rawClient(`${wsBase()}/v1/realtime?model=rt-pricey`, [], { authorization: `Bearer ${t}` });
        await n.next('session.created');
        n.send({ type: 'response.create', response: { max_output_tokens: 4 } });
        const answer = await Promise.race([n.next('error'), n.next('response.done')]);
        n.ws.close();
        await n.closed;
        return answer.type === 'error';
      },
      10_000,
      'the next session refused',
    );
  });

  it('the connection holds a concurrency slot for its life', async () => {
    const t = await token({ maxConcurrency: 1 });
    const first = rawClient(`${wsBase()}/v1/realtime?model=gpt-realtime`, [], { authorization: `Bearer ${t}` });
    await first.next('session.created');
    const second = await upgradeAnswer(`${wsBase()}/v1/realtime?model=gpt-realtime`, { authorization: `Bearer ${t}` });
    expect(second.status).toBe(429);
    expect(second.body).toMatchObject({ error: { code: 'rate_limit_exceeded' } });
    expect(second.headers['retry-after']).toBeTruthy();
    first.ws.close();
    await first.closed;
    await eventually(
      async () => (await upgradeAnswer(`${wsBase()}/v1/realtime?model=gpt-realtime`, { authorization: `Bearer ${t}` })).status === 101,
      5_000,
      'slot released',
    );
  });

  it('an upstream refusing the upgrade fails over to the next channel; one that never answers times out with 504', async () => {
    const a = await channel({ name: 'rt-fo-a', keys: ['fo-a'], models: ['rt-fo'], priority: 10 });
    const b = await channel({ name: 'rt-fo-b', keys: ['fo-b'], models: ['rt-fo', 'rt-fo-b-probe'], priority: 0 });
    // Once b's own model is served, the routing table holds both channels.
    await routable('rt-fo-b-probe');
    mock.reset();
    mock.setFault({ match: { key: 'fo-a' }, status: 503 });
    const c = rawClient(`${wsBase()}/v1/realtime?model=rt-fo`, [], { authorization: `Bearer ${key}` });
    await c.next('session.created');
    expect(mock.requests.map((r) => r.key)).toEqual(['fo-a', 'fo-b']);
    c.ws.close();
    await c.closed;
    expect(await logOf(c.requestId())).toMatchObject({ status: 200, channelId: b, attempts: 2 });
    expect(a).not.toBe(b);

    await channel({ name: 'rt-hang', keys: ['hang'], models: ['rt-hang'], timeouts: { connectMs: 200, firstByteMs: 300 } });
    await routable('rt-hang');
    mock.setFault({ match: { key: 'hang' }, hang: true });
    const t0 = Date.now();
    const hung = await upgradeAnswer(`${wsBase()}/v1/realtime?model=rt-hang`, { authorization: `Bearer ${key}` });
    expect(hung.status).toBe(504);
    expect(hung.body).toMatchObject({ error: { message: expect.stringContaining('did not answer in time') } });
    expect(Date.now() - t0).toBeLessThan(5_000);
  });

  it('a gateway drain closes open sessions with 1001 (going away)', async () => {
    const c = rawClient(`${wsBase()}/v1/realtime?model=gpt-realtime`, [], { authorization: `Bearer ${key}` });
    await c.next('session.created');
    const gateway = sys.procs.find((p) => p.name === (topology === 'standalone' ? 'standalone' : 'gateway'))!;
    const t0 = Date.now();
    gateway.child.kill('SIGTERM');
    expect((await c.closed).code).toBe(1001);
    // At once, not at the end of the drain's SHUTDOWN_TIMEOUT_MS (30 s): a session never ends by itself.
    expect(Date.now() - t0).toBeLessThan(5_000);
  });
});
