import { Redis } from 'ioredis';
import { MemoryHealthStore, RedisHealthStore, type HealthStore } from '@switchboard/health';
import { INFRA, requireInfra } from '../../support/infra';

const policy = { errorRate: 0.5, minRequests: 4, windowMs: 60_000, banMs: 10_000, probeIntervalMs: 1_000 };

describe.each(['memory', 'redis'] as const)('HealthStore (%s)', (kind) => {
  let store: HealthStore;
  let redis: Redis | undefined;
  let run = true;
  const prefix = `sbtest${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

  beforeAll(async () => {
    if (kind === 'redis') {
      run = await requireInfra('redis');
      if (!run) return;
      redis = new Redis(INFRA.redis.url);
      store = new RedisHealthStore(redis, policy, prefix);
    } else store = new MemoryHealthStore(policy);
  });

  afterAll(async () => {
    if (redis) {
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length) await redis.del(...keys);
      await redis.quit();
    }
  });

  const maybe = (name: string, fn: () => Promise<void>) => it(name, async () => (run ? fn() : undefined));

  maybe('bans a (channel, model) only after the minimum sample, at the threshold, once', async () => {
    const now = 1_800_000_000_000;
    const o = { channelId: 1, model: 'm', keyIndex: 0, multiKey: false, nowMs: now };
    expect(await store.record({ ...o, ok: true })).toEqual([]);
    expect(await store.record({ ...o, ok: false })).toEqual([]);
    expect(await store.record({ ...o, ok: false })).toEqual([]); // 2/3 failed but only 3 samples
    const bans = await store.record({ ...o, ok: false }); // 3/4 ≥ 50%
    expect(bans).toHaveLength(1);
    expect(bans[0]).toMatchObject({ channelId: 1, model: 'm', reason: 'error_rate' });
    expect(bans[0].until).toBeGreaterThanOrEqual(now + 9_000);
    expect(bans[0].until).toBeLessThanOrEqual(now + 11_000);
    expect(await store.record({ ...o, ok: false })).toEqual([]); // already banned: not announced again
    expect((await store.bans(now)).map((b) => b.model)).toEqual(['m']);
    expect(await store.channelWindow(1, now)).toEqual({ requests: 5, errors: 4 });
    expect(await store.bans(bans[0].until + 1)).toEqual([]); // expired
  });

  maybe('per-key bans on multi-key channels, lifting clears the window', async () => {
    const now = 1_800_000_100_000;
    for (let i = 0; i < 3; i++) await store.record({ channelId: 2, model: 'x', keyIndex: 1, multiKey: true, ok: false, nowMs: now });
    const set = await store.record({ channelId: 2, model: 'x', keyIndex: 1, multiKey: true, ok: false, nowMs: now });
    expect(set.map((b) => (b.keyIndex !== undefined ? `key${b.keyIndex}` : b.model)).sort()).toEqual(['key1', 'x']);
    expect(await store.liftBan({ channelId: 2, keyIndex: 1 })).toBe(true);
    expect(await store.liftBan({ channelId: 2, model: 'x' })).toBe(true);
    expect(await store.record({ channelId: 2, model: 'x', keyIndex: 1, multiKey: true, ok: false, nowMs: now })).toEqual([]);
  });

  maybe('a channel with autoBan off is counted but never banned (pair or key)', async () => {
    const now = 1_800_000_200_000;
    const o = { channelId: 3, model: 'nb', keyIndex: 1, multiKey: true, ok: false, mayBan: false, nowMs: now };
    for (let i = 0; i < 8; i++) expect(await store.record(o)).toEqual([]);
    expect((await store.bans(now)).filter((b) => b.channelId === 3)).toEqual([]);
    expect(await store.channelWindow(3, now)).toEqual({ requests: 8, errors: 8 });
    // The same failures with autoBan on ban at once: the window was kept.
    expect((await store.record({ ...o, mayBan: true })).map((b) => b.keyIndex ?? b.model).sort()).toEqual([1, 'nb']);
  });

  maybe('bulk successes dilute the error rate like single ones', async () => {
    const now = 1_800_000_300_000;
    await store.recordSuccesses([{ channelId: 4, model: 'z', keyIndex: 0, multiKey: false, count: 20, nowMs: now }]);
    for (let i = 0; i < 5; i++) expect(await store.record({ channelId: 4, model: 'z', keyIndex: 0, multiKey: false, ok: false, nowMs: now })).toEqual([]);
    expect(await store.channelWindow(4, now)).toEqual({ requests: 25, errors: 5 });
  });

  maybe('old buckets leave the window', async () => {
    const t0 = 1_800_000_200_000;
    for (let i = 0; i < 4; i++) await store.record({ channelId: 3, model: 'y', keyIndex: 0, multiKey: false, ok: true, nowMs: t0 });
    expect(await store.channelWindow(3, t0 + 61_000)).toEqual({ requests: 0, errors: 0 });
  });
});
