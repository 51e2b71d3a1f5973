import OpenAI from 'openai';
import { startFakeKiro, type FakeKiro } from '@switchboard/testing';
import { Redis } from 'ioredis';
import { INFRA, requireInfra } from '../../support/infra';
import { adminClient, eventually, startCluster, type System } from '../../support/harness';

jest.setTimeout(180_000);

/**
 * A Kiro account behind two gateway replicas (cluster: NATS, Redis, Postgres): whatever the concurrency on both, the
 * account's token is refreshed once, by one replica, and the other reuses it through Redis; the rotated refresh token
 * is kept there sealed.
 */
describe('kiro channels (cluster, two gateway replicas)', () => {
  let run = true;
  let fake: FakeKiro;
  let sys: (System & { dropDatabase(): Promise<void> }) | undefined;
  let clients: OpenAI[] = [];
  const rt = `rt-cluster-${process.pid}`;

  beforeAll(async () => {
    run = await requireInfra('postgres', 'redis', 'nats');
    if (!run) return;
    fake = await startFakeKiro();
    // a slow refresh: both replicas are sure to want the token while it is being minted
    fake.refreshDelayMs = 400;
    fake.addAccount({ refreshToken: rt, profileArn: 'arn:aws:codewhisperer:us-east-1:1:profile/CLUSTER' });
    sys = await startCluster({ gateways: 2, env: { UNPRICED_MODEL_POLICY: 'free', CHANNEL_CHECK_INTERVAL_MS: '0' } });
    const admin = adminClient(sys.url, sys.adminKey);
    const created = await admin.post('/api/channels', {
      name: 'kiro-pool',
      type: 'kiro',
      baseUrl: fake.url,
      keys: [JSON.stringify({ refreshToken: rt, authMethod: 'social' })],
      models: ['claude-sonnet-4-5'],
      config: { refreshUrl: fake.socialRefreshUrl },
    });
    expect(created.status).toBe(201);
    const key = String((await admin.post('/api/tokens', { name: 'kiro-cluster' })).body.key);
    clients = sys.gateways.map((g) => new OpenAI({ apiKey: key, baseURL: `${g}/v1`, maxRetries: 0, timeout: 30_000 }));
    for (const c of clients)
      await eventually(async () => (await c.models.retrieve('claude-sonnet-4-5').catch(() => null)) !== null, 15_000, 'routes on each replica');
  });

  afterAll(async () => {
    await sys?.stop();
    await sys?.dropDatabase();
    await fake?.close();
  });

  it('10 concurrent requests on each replica: exactly one refresh; every answer served', async () => {
    if (!run) return;
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        clients[i % 2].chat.completions.create({
          model: 'claude-sonnet-4-5',
          messages: [{ role: 'user', content: `replica ${i % 2} request ${i}` }],
          stream: i % 4 === 0,
        }),
      ),
    );
    expect(answers).toHaveLength(20);
    expect(fake.requests.length).toBeGreaterThanOrEqual(20);
    expect(fake.refreshes(rt)).toBe(1);
    expect(new Set(fake.requests.map((r) => r.headers.authorization)).size).toBe(1);
    // the rotated refresh token is in Redis, sealed with SECRET_KEY: readable by no one without it
    const redis = new Redis(INFRA.redis.url);
    try {
      const values = await Promise.all((await redis.keys('sb:cred:state:kiro:*')).map((k) => redis.get(k)));
      expect(values.length).toBe(1);
      expect(values[0]).toMatch(/^v1:/);
      expect(values[0]).not.toContain(fake.currentRefreshToken(rt)!);
    } finally {
      await redis.quit();
    }
  });

  it('after Kiro stops accepting the token, the replicas renew it with one more refresh', async () => {
    if (!run) return;
    fake.expireAccessTokens();
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        clients[i % 2].chat.completions.create({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: `again ${i}` }] }),
      ),
    );
    expect(answers.every((a) => a.choices[0].message.content!.includes('again'))).toBe(true);
    expect(fake.refreshes(rt)).toBe(2);
  });
});
