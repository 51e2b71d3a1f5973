import { Redis } from 'ioredis';
import { RedisSessionStore, sessionKey } from '../../../apps/gateway/src/session/redis-session.store';
import { SessionService } from '../../../apps/gateway/src/session/session.service';
import { INFRA, requireInfra } from '../../support/infra';

/** Two gateway replicas, each with its own Redis connection: a session made on one is live, then revoked, on the other. */
describe('RedisSessionStore across gateway replicas', () => {
  let run = true;
  let a: SessionService;
  let b: SessionService;
  let stores: RedisSessionStore[] = [];
  let redis: Redis | undefined;

  beforeAll(async () => {
    run = await requireInfra('redis');
    if (!run) return;
    stores = [RedisSessionStore.fromUrl(INFRA.redis.url), RedisSessionStore.fromUrl(INFRA.redis.url)];
    a = new SessionService(stores[0]);
    b = new SessionService(stores[1]);
    redis = new Redis(INFRA.redis.url);
  });
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()));
    await redis?.quit();
  });

  const maybe = (name: string, fn: () => Promise<void>) => it(name, async () => (run ? fn() : undefined));

  maybe('shares sessions, keeps only the hash with a TTL, and a sign-out on one ends it on the other', async () => {
    const s = await a.create();
    expect(await b.resolve(s.id)).toEqual({ csrfToken: s.csrfToken, expiresAt: s.expiresAt, signedInAt: s.signedInAt });
    expect(await redis!.exists(sessionKey(s.id))).toBe(0);
    const keys = await redis!.keys('sb:session:*');
    for (const k of keys) expect(k).not.toContain(s.id);
    const values = await Promise.all(keys.map(async (k) => [k, await redis!.get(k)] as const));
    const mine = values.filter(([, v]) => v?.includes(s.csrfToken)).map(([k]) => k);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatch(/^sb:session:[0-9a-f]{64}$/);
    expect(await redis!.pttl(mine[0])).toBeGreaterThan(0);
    await b.revoke(s.id);
    expect(await a.resolve(s.id)).toBeNull();
  });
});
