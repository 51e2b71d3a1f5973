import { startMockUpstream, type MockUpstream } from '@switchboard/testing';
import { adminClient, startStandalone, type System } from '../../support/harness';
import { bodyOf, isErrorShape, rawExchange, shapeOfPath, statusOf, upload } from './support/edge-client';

jest.setTimeout(120_000);

const HEADERS_TIMEOUT_MS = 1500;
const REQUEST_TIMEOUT_MS = 2500;
const MAX_BODY = 65_536;

/** Issue 13, the edge's slice: bad numbers, bad bytes, deep or poisonous JSON, big or slow uploads, keys. */
describe('hostile client input (standalone)', () => {
  let mock: MockUpstream;
  let sys: System;
  let admin: ReturnType<typeof adminClient>;
  let key: string;

  beforeAll(async () => {
    mock = await startMockUpstream();
    sys = await startStandalone({
      MAX_BODY_BYTES: String(MAX_BODY),
      HTTP_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
      HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
    });
    admin = adminClient(sys.url, sys.adminKey);
    await admin.post('/api/channels', { name: 'edge', type: 'openai', baseUrl: mock.url, keys: ['k'], models: ['gpt-4o-mini', 'text-embedding-3-small'] });
    key = String((await admin.post('/api/tokens', { name: 'edge' })).body.key);
  });

  afterAll(async () => {
    await sys?.stop();
    await mock?.close();
  });

  const auth = (path: string, k = key): Record<string, string> => {
    const shape = shapeOfPath(path);
    if (shape === 'anthropic') return { 'x-api-key': k, 'anthropic-version': '2023-06-01' };
    if (shape === 'gemini') return { 'x-goog-api-key': k };
    return { authorization: `Bearer ${k}` };
  };
  const post = async (path: string, body: string | Buffer, headers: Record<string, string> = auth(path)) => {
    const r = await fetch(`${sys.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    const text = await r.text();
    let json: unknown = text;
    try {
      json = JSON.parse(text);
    } catch {
      /* not JSON: the shape check fails */
    }
    return { status: r.status, headers: r.headers, json: json as Record<string, any> };
  };
  const chat = (extra: Record<string, unknown>) => JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], ...extra });
  const messages = (extra: Record<string, unknown>) =>
    JSON.stringify({ model: 'gpt-4o-mini', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }], ...extra });
  const GEMINI = '/v1beta/models/gpt-4o-mini:generateContent';

  it('answers a bad output budget (fractional, negative, huge, a string) with 400 naming the parameter, in the inbound shape; nothing reaches an upstream', async () => {
    const before = mock.requests.length;
    const cases: [path: string, body: string, param: string][] = [
      ['/v1/chat/completions', chat({ max_tokens: 3.14159 }), 'max_tokens'],
      ['/v1/chat/completions', chat({ max_tokens: -1 }), 'max_tokens'],
      ['/v1/chat/completions', chat({ max_tokens: 1e300 }), 'max_tokens'],
      ['/v1/chat/completions', chat({ max_completion_tokens: '100' }), 'max_completion_tokens'],
      ['/v1/responses', JSON.stringify({ model: 'gpt-4o-mini', input: 'hi', max_output_tokens: 2.5 }), 'max_output_tokens'],
      ['/v1/messages', messages({ max_tokens: 1e300 }), 'max_tokens'],
      ['/v1/messages', messages({ max_tokens: -1 }), 'max_tokens'],
      [GEMINI, JSON.stringify({ contents: [{ parts: [{ text: 'hi' }] }], generationConfig: { maxOutputTokens: 3.14159 } }), 'generationConfig.maxOutputTokens'],
      [
        '/v1beta/models/gpt-4o-mini:streamGenerateContent?alt=sse',
        JSON.stringify({ contents: [{ parts: [{ text: 'hi' }] }], generationConfig: { maxOutputTokens: -5 } }),
        'generationConfig.maxOutputTokens',
      ],
    ];
    for (const [path, body, param] of cases) {
      const r = await post(path, body);
      expect({ path, body, status: r.status }).toEqual({ path, body, status: 400 });
      expect(isErrorShape(shapeOfPath(path), r.json)).toBe(true);
      expect(JSON.stringify(r.json)).toContain(param);
      if (shapeOfPath(path) === 'openai') expect(r.json.error.param).toBe(param);
    }
    expect(mock.requests.length).toBe(before);
    expect((await post('/v1/chat/completions', chat({ max_tokens: 16 }))).status).toBe(200);
  });

  it('answers a body with invalid UTF-8 with 400 invalid_request_error in every inbound shape, never relays it', async () => {
    const before = mock.requests.length;
    const broken = (json: string) => {
      const at = json.indexOf('hi');
      return Buffer.concat([Buffer.from(json.slice(0, at)), Buffer.from([0xc3, 0x28, 0xa0, 0xff]), Buffer.from(json.slice(at))]);
    };
    const cases: [string, string][] = [
      ['/v1/chat/completions', chat({})],
      ['/v1/responses', JSON.stringify({ model: 'gpt-4o-mini', input: 'hi' })],
      ['/v1/embeddings', JSON.stringify({ model: 'text-embedding-3-small', input: 'hi' })],
      ['/v1/messages', messages({})],
      ['/v1/messages/count_tokens', messages({})],
      [GEMINI, JSON.stringify({ contents: [{ parts: [{ text: 'hi' }] }] })],
    ];
    for (const [path, json] of cases) {
      const r = await post(path, broken(json));
      expect({ path, status: r.status }).toEqual({ path, status: 400 });
      expect(isErrorShape(shapeOfPath(path), r.json)).toBe(true);
      const type = shapeOfPath(path) === 'gemini' ? r.json.error.status : r.json.error.type;
      expect(type).toBe(shapeOfPath(path) === 'gemini' ? 'INVALID_ARGUMENT' : 'invalid_request_error');
      expect(JSON.stringify(r.json)).toContain('UTF-8');
    }
    expect(mock.requests.length).toBe(before);
  });

  it('answers JSON nested deeper than MAX_JSON_DEPTH, and __proto__ / constructor.prototype keys, with 400', async () => {
    const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
    const tooDeep = await post('/v1/chat/completions', `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"metadata":${deep(200)}}`);
    expect(tooDeep.status).toBe(400);
    expect(tooDeep.json.error.message).toContain('deeper than 128');
    const veryDeep = await post(GEMINI, `{"contents":${deep(30_000)}}`);
    expect(veryDeep.status).toBe(400);
    expect(isErrorShape('gemini', veryDeep.json)).toBe(true);
    // within the limit the same body is not refused for its depth
    const fine = await post('/v1/chat/completions', `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"metadata":${deep(100)}}`);
    expect(fine.status).not.toBe(400);
    for (const poison of ['{"__proto__":{"admin":true}}', '{"\\u005f_proto__":{"admin":true}}', '{"constructor":{"prototype":{"admin":true}}}']) {
      const body = `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"f","parameters":${poison}}}]}`;
      const r = await post('/v1/chat/completions', body);
      expect({ poison, status: r.status }).toEqual({ poison, status: 400 });
      expect(r.json.error.message).toContain('forbidden key');
      const a = await post('/v1/messages', `{"model":"gpt-4o-mini","max_tokens":5,"messages":[{"role":"user","content":"hi"}],"metadata":${poison}}`);
      expect(a.status).toBe(400);
      expect(isErrorShape('anthropic', a.json)).toBe(true);
    }
  });

  it('gives a client still writing a 20 MB body a readable 413 in its shape (no EPIPE or reset), with or without a declared length', async () => {
    const total = 20 * 1024 * 1024;
    for (const path of ['/v1/chat/completions', '/v1/messages', GEMINI]) {
      for (const declared of [true, false]) {
        const r = await upload(sys.url, path, auth(path), total, declared);
        expect({ path, declared, status: r.status, error: r.error }).toEqual({ path, declared, status: 413, error: undefined });
        expect(r.written).toBeGreaterThan(MAX_BODY); // answered while the client was still writing
        expect(isErrorShape(shapeOfPath(path), JSON.parse(r.body))).toBe(true);
        expect(r.headers['x-request-id']).toBeTruthy();
      }
    }
    expect((await post('/v1/chat/completions', chat({}))).status).toBe(200);
  });

  it('answers a request without a valid key from its headers alone: 401 before any of a 10 MB body is sent', async () => {
    const head = (path: string, headers: Record<string, string>) =>
      `POST ${path} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${10 * 1024 * 1024}\r\n` +
      Object.entries(headers)
        .map(([k, v]) => `${k}: ${v}\r\n`)
        .join('') +
      '\r\n';
    const complete = (t: string) => {
      const i = t.indexOf('\r\n\r\n');
      const len = /content-length: (\d+)/i.exec(t);
      return i >= 0 && !!len && t.length >= i + 4 + Number(len[1]);
    };
    for (const path of [
      '/v1/chat/completions',
      '/v1/messages',
      '/v1/embeddings',
      GEMINI,
      '/v1/messages/count_tokens',
      '/v1beta/models/gpt-4o-mini:countTokens',
    ]) {
      for (const headers of [{}, auth(path, 'sk-not-a-real-key')]) {
        const r = await rawExchange(sys.url, (s) => void s.write(head(path, headers)), 3000, complete);
        expect({ path, headers, status: statusOf(r.text) }).toEqual({ path, headers, status: 401 });
        expect(isErrorShape(shapeOfPath(path), JSON.parse(bodyOf(r.text)))).toBe(true);
      }
    }
  });

  it('closes a connection whose headers trickle in, or whose body stalls, within the configured bounds', async () => {
    const slowHeaders = await rawExchange(
      sys.url,
      async (s) => {
        const line = `POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${key}\r\nx-pad: `;
        for (const ch of line + 'a'.repeat(200)) {
          if (s.destroyed) return;
          s.write(ch);
          await new Promise((r) => setTimeout(r, 100));
        }
      },
      15_000,
    );
    expect(slowHeaders.closed).toBe(true);
    expect(slowHeaders.closedAfterMs).toBeLessThan(HEADERS_TIMEOUT_MS + 3000);
    const stalledBody = await rawExchange(
      sys.url,
      (s) =>
        void s.write(
          `POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${key}\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{"model":`,
        ),
      15_000,
    );
    expect(stalledBody.closed).toBe(true);
    expect(stalledBody.closedAfterMs).toBeLessThan(REQUEST_TIMEOUT_MS + 3000);
  });

  it('never cuts a streamed response that lasts longer than the request timeouts', async () => {
    const t0 = Date.now();
    const r = await fetch(`${sys.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: chat({ stream: true, messages: [{ role: 'user', content: '[chunks:8][delay:800] one two three four five six seven eight' }] }),
    });
    expect(r.status).toBe(200);
    const text = await r.text();
    expect(Date.now() - t0).toBeGreaterThan(REQUEST_TIMEOUT_MS + 1500);
    expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
    expect(text.split('\n').filter((l) => l.startsWith('data: {')).length).toBeGreaterThanOrEqual(8);
  });

  it("renders refusals that come before any route in the caller's shape: a URL that does not decode, a refused model list", async () => {
    const badUrl = await post('/v1beta/models/%ZZ:generateContent', JSON.stringify({ contents: [] }));
    expect(badUrl.status).toBe(400);
    expect(isErrorShape('gemini', badUrl.json)).toBe(true);
    const slash = await post('/v1/models/models/x/y:generateContent', JSON.stringify({ contents: [] }), {});
    expect(slash.status).toBe(401);
    expect(isErrorShape('gemini', slash.json)).toBe(true);
    const list = async (headers: Record<string, string>) => {
      const r = await fetch(`${sys.url}/v1/models`, { headers });
      return { status: r.status, json: await r.json() };
    };
    const anthropic = await list({ 'x-api-key': 'sk-not-a-real-key', 'anthropic-version': '2023-06-01' });
    expect(anthropic.status).toBe(401);
    expect(isErrorShape('anthropic', anthropic.json)).toBe(true);
    const gemini = await list({ 'x-goog-api-key': 'sk-not-a-real-key' });
    expect(gemini.status).toBe(401);
    expect(isErrorShape('gemini', gemini.json)).toBe(true);
  });

  it('applies the key rules to count_tokens and the model lists too: IP and model allow-lists, disabled user, RPM', async () => {
    const countA = (k: string, model = 'gpt-4o-mini') =>
      post('/v1/messages/count_tokens', JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }), auth('/v1/messages', k));
    const countG = (k: string, model = 'gpt-4o-mini') =>
      post(`/v1beta/models/${model}:countTokens`, JSON.stringify({ contents: [{ parts: [{ text: 'hi' }] }] }), auth(GEMINI, k));
    const list = async (k: string, path = '/v1/models') => (await fetch(`${sys.url}${path}`, { headers: { authorization: `Bearer ${k}` } })).status;

    const elsewhere = String((await admin.post('/api/tokens', { name: 'elsewhere', allowIps: ['10.0.0.0/8'] })).body.key);
    expect((await countA(elsewhere)).status).toBe(403);
    expect(isErrorShape('anthropic', (await countA(elsewhere)).json)).toBe(true);
    expect((await countG(elsewhere)).status).toBe(403);
    expect(await list(elsewhere)).toBe(403);
    expect(await list(elsewhere, '/v1beta/models')).toBe(403);

    const onlyMini = String((await admin.post('/api/tokens', { name: 'only-mini', models: ['gpt-4o-mini'] })).body.key);
    expect((await countA(onlyMini)).status).toBe(200);
    expect((await countA(onlyMini, 'other-model')).status).toBe(403);
    expect((await countG(onlyMini, 'other-model')).status).toBe(403);

    const user = (await admin.post('/api/users', { name: `off-${Date.now()}`, balance: null })).body as { id: number };
    const ofUser = String((await admin.post('/api/tokens', { name: 'of-user', userId: user.id })).body.key);
    expect((await countA(ofUser)).status).toBe(200);
    await admin.patch(`/api/users/${user.id}`, { status: 'disabled' });
    await new Promise((r) => setTimeout(r, 1200)); // SPEC: a change reaches every gateway within a second
    expect((await countA(ofUser)).status).toBe(401);
    expect(await list(ofUser)).toBe(401);

    const limited = String((await admin.post('/api/tokens', { name: 'rpm-2', rpm: 2 })).body.key);
    expect((await countA(limited)).status).toBe(200);
    expect(await list(limited)).toBe(200);
    const third = await countG(limited);
    expect(third.status).toBe(429);
    expect(isErrorShape('gemini', third.json)).toBe(true);
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  // Last: it throttles this client's address for a minute.
  it('throttles an address that keeps presenting unknown keys: 429 with Retry-After in the inbound shape; a key already in use still works', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 61; i++) statuses.push((await post('/v1/chat/completions', chat({}), { authorization: `Bearer sk-guess-${i}` })).status);
    expect(statuses[0]).toBe(401);
    expect(statuses[60]).toBe(429);
    expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
    const o = await post('/v1/chat/completions', chat({}), { authorization: 'Bearer sk-guess-x' });
    expect(o.status).toBe(429);
    expect(Number(o.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(isErrorShape('openai', o.json)).toBe(true);
    const a = await post('/v1/messages', messages({}), auth('/v1/messages', 'sk-guess-y'));
    expect(a.status).toBe(429);
    expect(isErrorShape('anthropic', a.json)).toBe(true);
    expect((await post('/v1/chat/completions', chat({}))).status).toBe(200);
  });
});
