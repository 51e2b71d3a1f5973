import OpenAI from 'openai';
import { Redis } from 'ioredis';
import { startMockUpstream, type MockUpstream } from '@switchboard/testing';
import { adminClient, eventually, startCluster, type System } from '../../support/harness';
import { INFRA, requireInfra } from '../../support/infra';

jest.setTimeout(180_000);

/**
 * cache (SPEC §8) behind two gateway replicas (cluster: answers in the Redis they share): an answer stored through one
 * replica is a hit on the other, JSON and stream alike, with no upstream call, and expires by Redis' TTL.
 */
describe('cache plugin (cluster, two gateway replicas)', () => {
  let run = true;
  let mock: MockUpstream;
  let sys: (System & { dropDatabase(): Promise<void> }) | undefined;
  let clients: OpenAI[] = [];
  let redis: Redis | undefined;

  const cacheHeader = (r: { response: Response }) => r.response.headers.get('x-switchboard-cache');
  /** the answers Redis holds (the first replica's write is not awaited by its client) */
  const stored = async () => (await redis!.keys('sb:cache:answer:*')).length;

  beforeAll(async () => {
    run = await requireInfra('postgres', 'redis', 'nats');
    if (!run) return;
    mock = await startMockUpstream();
    sys = await startCluster({ gateways: 2, env: { UNPRICED_MODEL_POLICY: 'free', CHANNEL_CHECK_INTERVAL_MS: '0' } });
    redis = new Redis(INFRA.redis.url);
    const admin = adminClient(sys.url, sys.adminKey);
    expect((await admin.post('/api/channels', { name: 'mock', type: 'openai', baseUrl: mock.url, keys: ['sk-mock'], models: ['cached-model'] })).status).toBe(
      201,
    );
    expect((await admin.put('/api/plugins/cache', { enabled: true, ttlSeconds: 120 })).status).toBe(200);
    const key = String((await admin.post('/api/tokens', { name: 'cache-cluster' })).body.key);
    clients = sys.gateways.map((g) => new OpenAI({ apiKey: key, baseURL: `${g}/v1`, maxRetries: 0, timeout: 30_000 }));
    // each replica has the plugin once a no-store probe says bypass (and stores nothing)
    for (const c of clients) {
      await eventually(
        async () => {
          const r = await c.chat.completions
            .create({ model: 'cached-model', messages: [{ role: 'user', content: 'probe' }] }, { headers: { 'x-switchboard-cache': 'no-store' } })
            .withResponse()
            .catch(() => null);
          return r && cacheHeader(r) === 'bypass';
        },
        20_000,
        'cache active on each replica',
      );
    }
    expect(await stored()).toBe(0);
  });

  afterAll(async () => {
    await redis?.quit();
    await sys?.stop();
    await sys?.dropDatabase();
    await mock?.close();
  });

  it('an answer stored through one replica is a hit on the other, JSON and stream, without calling the upstream', async () => {
    if (!run) return;
    mock.reset();
    const ask = (i: number) =>
      clients[i].chat.completions.create({ model: 'cached-model', messages: [{ role: 'user', content: 'shared question' }] }).withResponse();
    const first = await ask(0);
    expect(cacheHeader(first)).toBe('miss');
    await eventually(async () => (await stored()) === 1, 5_000, 'the answer in Redis');
    const other = await ask(1);
    expect(cacheHeader(other)).toBe('hit');
    expect(other.data).toEqual(first.data);
    expect(mock.requests).toHaveLength(1);

    const ttl = await redis!.pttl((await redis!.keys('sb:cache:answer:*'))[0]);
    expect(ttl).toBeGreaterThan(100_000);
    expect(ttl).toBeLessThanOrEqual(120_000);

    const stream = async (i: number) => {
      const { data, response } = await clients[i].chat.completions
        .create({ model: 'cached-model', messages: [{ role: 'user', content: 'shared stream' }], stream: true })
        .withResponse();
      const chunks: OpenAI.ChatCompletionChunk[] = [];
      for await (const c of data) chunks.push(c);
      return { chunks, response };
    };
    const s1 = await stream(1);
    expect(cacheHeader(s1)).toBe('miss');
    await eventually(async () => (await stored()) === 2, 5_000, 'the stream in Redis');
    const s0 = await stream(0);
    expect(cacheHeader(s0)).toBe('hit');
    expect(s0.response.headers.get('content-type')).toContain('text/event-stream');
    expect(s0.chunks).toEqual(s1.chunks);
    expect(mock.requests).toHaveLength(2);
  });
});
