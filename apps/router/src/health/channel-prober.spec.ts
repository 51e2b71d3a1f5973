import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SecretBox } from '@switchboard/common';
import type { AppConfig } from '@switchboard/config';
import type { Channel, ChannelKey } from '@switchboard/db';
import { startFakeVertex, type FakeVertex } from '@switchboard/testing';
import { ChannelProber } from './channel-prober';

const SECRET = 'ab'.repeat(32);
const box = new SecretBox(SECRET);

interface Seen {
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown>;
}

/** An upstream answering every request with `status`, recording what it received. */
async function upstream(status: number) {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      seen.push({ url: req.url ?? '', headers: req.headers, body: JSON.parse(Buffer.concat(parts).toString('utf8')) });
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(status < 400 ? { id: 'c', object: 'chat.completion', choices: [] } : { error: { message: 'overloaded' } }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    seen,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const channel = (baseUrl: string, over: Partial<Channel> = {}) =>
  ({
    id: 7,
    name: 'c7',
    type: 'openai',
    baseUrl,
    models: ['m'],
    modelMapping: {},
    headersCiphertext: null,
    paramOverrideCiphertext: null,
    legacyHeaders: null,
    legacyParamOverride: null,
    statusCodeMapping: {},
    timeouts: null,
    testModel: null,
    keys: [{ position: 0, status: 'enabled', keyCiphertext: box.encrypt('sk-up') } as ChannelKey],
    ...over,
  }) as Channel & { keys: ChannelKey[] };

describe('ChannelProber: a probe is built and judged as the relay builds and judges a request', () => {
  const prober = new ChannelProber({ SECRET_KEY: SECRET, UPSTREAM_CONNECT_TIMEOUT_MS: 2_000, UPSTREAM_FIRST_BYTE_TIMEOUT_MS: 5_000 } as AppConfig);
  let up: Awaited<ReturnType<typeof upstream>>;
  afterEach(() => up.close());

  it('applies the channel’s param override and model mapping to the ping, with the relay’s headers', async () => {
    up = await upstream(200);
    const c = channel(up.url, {
      modelMapping: { m: 'vendor-m' },
      paramOverrideCiphertext: box.encrypt(JSON.stringify({ max_tokens: 16, metadata: { tenant: 't1' } })),
      headersCiphertext: box.encrypt(JSON.stringify({ 'x-app-code': 'code-1' })),
    });
    const r = await prober.probe(c, 'm');
    expect(r).toMatchObject({ ok: true, status: 200, model: 'm' });
    expect(up.seen).toHaveLength(1);
    expect(up.seen[0].url).toBe('/v1/chat/completions');
    expect(up.seen[0].body).toMatchObject({ model: 'vendor-m', max_tokens: 16, metadata: { tenant: 't1' }, messages: [{ role: 'user', content: 'ping' }] });
    expect(up.seen[0].headers).toMatchObject({ authorization: 'Bearer sk-up', accept: 'application/json', 'x-app-code': 'code-1' });
  });

  it('probes a rerank-only channel (cohere) with the smallest rerank in its dialect, not a chat it cannot serve', async () => {
    up = await upstream(200);
    const r = await prober.probe(channel(up.url, { type: 'cohere', models: ['rerank-v3.5'] }), 'rerank-v3.5');
    expect(r).toMatchObject({ ok: true, status: 200 });
    expect([up.seen[0].url, up.seen[0].body]).toEqual(['/v2/rerank', { model: 'rerank-v3.5', query: 'ping', documents: ['ping'] }]);
  });

  it('maps the upstream status with the channel’s statusCodeMapping', async () => {
    up = await upstream(500);
    const r = await prober.probe(channel(up.url, { statusCodeMapping: { '500': 429 } }), 'm');
    expect(r).toMatchObject({ ok: false, status: 429 });
    expect(r.error).toContain('overloaded');
  });

  it('a success mapped to an error status is a failed probe, as the relay fails over on it', async () => {
    up = await upstream(200);
    const r = await prober.probe(channel(up.url, { statusCodeMapping: { '200': 503 } }), 'm');
    expect(r).toMatchObject({ ok: false, status: 503 });
  });

  it('no mapping: the upstream status as is', async () => {
    up = await upstream(500);
    expect(await prober.probe(channel(up.url), 'm')).toMatchObject({ ok: false, status: 500 });
  });
});

describe('ChannelProber: minted credentials', () => {
  const prober = new ChannelProber({ SECRET_KEY: SECRET, UPSTREAM_CONNECT_TIMEOUT_MS: 2_000, UPSTREAM_FIRST_BYTE_TIMEOUT_MS: 5_000 } as AppConfig);
  let fake: FakeVertex;
  beforeAll(async () => {
    fake = await startFakeVertex({ projects: ['p'], locations: ['us-central1'] });
  });
  afterAll(() => fake.close());

  it('a token the upstream stopped taking (401) is dropped: the next probe mints a new one and passes', async () => {
    const sa = fake.serviceAccount();
    const vertex = {
      ...channel(fake.url, { type: 'vertex', config: { project: 'p', location: 'us-central1' } }),
      keys: [{ position: 0, status: 'enabled', keyCiphertext: box.encrypt(sa) } as ChannelKey],
    };
    expect(await prober.probe(vertex, 'gemini-2.5-flash')).toMatchObject({ ok: true, status: 200 });
    fake.revokeTokens();
    expect(await prober.probe(vertex, 'gemini-2.5-flash')).toMatchObject({ ok: false, status: 401 });
    expect(await prober.probe(vertex, 'gemini-2.5-flash')).toMatchObject({ ok: true, status: 200 });
    expect([fake.mints, fake.requests.map((r) => r.status)]).toEqual([2, [200, 401, 200]]);
  });
});
