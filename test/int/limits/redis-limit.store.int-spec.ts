import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { LimitKeys, RedisLimitStore, budgetAccount, type LimitStore } from '@switchboard/limits';
import { LuaScript } from '../../../libs/limits/src/lua-script.runner';
import { describeLimitStoreBehaviour, expectOk, expectRefused, runOverdrawScenario } from '../../../libs/limits/src/testing/limit-store.behaviour';
import { REDIS_URL, connect, deletePrefix, describeWithRedis } from './redis-test.helper';

/** Counts the commands a client sends (each is one round trip unless pipelined, which the store never does). */
function countCommands(redis: Redis): { names: string[] } {
  const log = { names: [] as string[] };
  const send = redis.sendCommand.bind(redis);
  redis.sendCommand = (command, stream) => {
    log.names.push(command.name.toLowerCase());
    return send(command, stream);
  };
  return log;
}

describeWithRedis('RedisLimitStore against real Redis', () => {
  const prefixes: string[] = [];
  const clients: Redis[] = [];
  const client = (): Redis => {
    const c = connect();
    clients.push(c);
    return c;
  };
  const prefix = (): string => {
    const p = `sbtest-limits-${randomUUID().slice(0, 12)}`;
    prefixes.push(p);
    return p;
  };

  afterAll(async () => {
    if (clients.length > 0) for (const p of prefixes) await deletePrefix(clients[0], p);
    await Promise.all(clients.map((c) => c.quit()));
  });

  describeLimitStoreBehaviour('RedisLimitStore', () => {
    let shared: Redis | null = null;
    return {
      create: async (now) => {
        shared ??= client();
        return new RedisLimitStore(shared, { keyPrefix: prefix(), now });
      },
      destroy: async () => undefined,
    };
  });

  it('200 concurrent acquires from two replicas against a quota for 10: exactly 10 succeed, settlement adds up', async () => {
    const p = prefix();
    const replicas = [new RedisLimitStore(client(), { keyPrefix: p }), new RedisLimitStore(client(), { keyPrefix: p })];
    await runOverdrawScenario(replicas, { attempts: 200, fits: 10, reserveMicros: 25_000, account: 'token:overdraw' });
  });

  it("200 concurrent acquires from two replicas against a budget's period account for 10: exactly 10 succeed, never overdrawn", async () => {
    const p = prefix();
    const replicas = [new RedisLimitStore(client(), { keyPrefix: p }), new RedisLimitStore(client(), { keyPrefix: p })];
    const { quota } = budgetAccount(
      'group',
      'shared',
      { amountMicros: 250_000, period: 'week', softLimitMicros: null, periodStartMs: 0, spentMicros: 0 },
      Date.now(),
    );
    await runOverdrawScenario(replicas, { attempts: 200, fits: 10, reserveMicros: 25_000, account: quota.key });
  });

  it('markOnce: of two replicas racing for one soft-limit event, exactly one raises it; the mark expires', async () => {
    const p = prefix();
    const replicas = [new RedisLimitStore(client(), { keyPrefix: p }), new RedisLimitStore(client(), { keyPrefix: p })];
    const wins = await Promise.all(Array.from({ length: 20 }, (_, i) => replicas[i % 2].markOnce('budget-reached:budget:user:1:day:2026-12-06:1', 300)));
    expect(wins.filter(Boolean)).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 350));
    expect(await replicas[1].markOnce('budget-reached:budget:user:1:day:2026-12-06:1', 300)).toBe(true);
  });

  it('two replicas (two connections) share RPM, concurrency and quota, on the Redis clock', async () => {
    const p = prefix();
    const a: LimitStore = new RedisLimitStore(client(), { keyPrefix: p });
    const b: LimitStore = new RedisLimitStore(client(), { keyPrefix: p });
    const scopes = [{ key: 'token:7', rpm: 5, maxConcurrency: 2 }, { key: 'group:shared' }];
    const quota = [{ key: 'token:7', initialRemainingMicros: 1_000 }];
    const acquire = (store: LimitStore) => store.acquire({ requestId: randomUUID(), scopes, estimatedTokens: 10, quota, reserveMicros: 100 });

    const before = Date.now();
    const first = expectOk(await acquire(a));
    expect(first.lease.acquiredAtMs).toBeGreaterThan(before - 5_000);
    expect(first.lease.acquiredAtMs).toBeLessThan(Date.now() + 5_000);
    const second = expectOk(await acquire(b));
    expect(expectRefused(await acquire(a))).toMatchObject({ reason: 'concurrency', scope: 'token:7', limit: 2 });
    expect(await b.getRemaining('token:7')).toBe(800);

    // A lease taken on one replica is settled on the other.
    await b.settle(first.lease, { tokens: 4, costMicros: 30 });
    await a.release(second.lease);
    expect(await a.getRemaining('token:7')).toBe(970);
    for (const store of [a, b, a]) await store.release(expectOk(await acquire(store)).lease);
    const refused = expectRefused(await acquire(b));
    expect(refused).toMatchObject({ reason: 'rpm', scope: 'token:7', limit: 5 });
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(60_000);
  });

  it('acquire and settle are one round trip each once the script is cached', async () => {
    const redis = client();
    const store = new RedisLimitStore(redis, { keyPrefix: prefix() });
    const scopes = [{ key: 'token:1', rpm: 100, tpm: 10_000, maxConcurrency: 5 }, { key: 'user:1' }, { key: 'group:g', rpm: 1000 }];
    const quota = [
      { key: 'token:1', initialRemainingMicros: 1_000_000 },
      { key: 'user:1', initialRemainingMicros: 1_000_000 },
    ];
    const request = () => ({ requestId: randomUUID(), scopes, estimatedTokens: 100, quota, reserveMicros: 1_000 });
    await store.release(expectOk(await store.acquire(request())).lease); // loads both scripts if needed
    await redis.ping(); // the connection's own start-up commands are done

    const log = countCommands(redis);
    const lease = expectOk(await store.acquire(request())).lease;
    expect(log.names).toEqual(['evalsha']);
    await store.settle(lease, { tokens: 50, costMicros: 500 });
    expect(log.names).toEqual(['evalsha', 'evalsha']);
  });

  it('acquires made while one is on its way share one script call; each is checked and counted on its own', async () => {
    const p = prefix();
    const redis = client();
    const store = new RedisLimitStore(redis, { keyPrefix: p });
    const scopes = [{ key: 'token:1', rpm: 100, maxConcurrency: 2 }, { key: 'group:g' }];
    const quota = [{ key: 'token:1', initialRemainingMicros: 1_000 }];
    const request = (over: { requestId?: string; reserveMicros?: number } = {}) => ({
      requestId: randomUUID(),
      scopes,
      estimatedTokens: 10,
      quota,
      reserveMicros: 100,
      ...over,
    });
    await store.release(expectOk(await store.acquire(request())).lease); // loads both scripts if needed
    await redis.ping();

    const log = countCommands(redis);
    const results = await Promise.allSettled([
      store.acquire(request({ requestId: 'same' })),
      store.acquire(request({ requestId: 'same' })), // the lease is held by then: refused as if sent after the first
      store.acquire(request({ reserveMicros: 2_000 })), // the quota cannot cover it: counts nothing
      store.acquire(request()),
      store.acquire(request()), // concurrency 2 is full by now
    ]);
    expect(log.names).toEqual(['evalsha', 'evalsha']); // the first at once, the others together
    expect(results[0]).toMatchObject({ status: 'fulfilled', value: { ok: true, remaining: [{ scope: 'token:1', rpmRemaining: 98 }] } });
    expect(results[1]).toMatchObject({ status: 'rejected', reason: expect.objectContaining({ message: 'limit lease already held for request same' }) });
    expect(results[2]).toEqual({ status: 'fulfilled', value: { ok: false, reason: 'quota', scope: 'token:1', retryAfterMs: 0 } });
    expect(results[3]).toMatchObject({ status: 'fulfilled', value: { ok: true, remaining: [{ scope: 'token:1', rpmRemaining: 97 }] } });
    expect(results[4]).toMatchObject({ status: 'fulfilled', value: { ok: false, reason: 'concurrency', scope: 'token:1', limit: 2 } });
    expect(await store.getRemaining('token:1')).toBe(800);
  });

  it('settles made while one is on its way share one script call; each lease is applied as if settled alone', async () => {
    const p = prefix();
    const redis = client();
    const store = new RedisLimitStore(redis, { keyPrefix: p });
    const scopes = [{ key: 'token:1', tpm: 10_000, maxConcurrency: 3 }, { key: 'group:g' }];
    const quota = [{ key: 'token:1', initialRemainingMicros: 1_000_000 }];
    const request = () => ({ requestId: randomUUID(), scopes, estimatedTokens: 100, quota, reserveMicros: 1_000 });
    await store.release(expectOk(await store.acquire(request())).lease); // loads both scripts if needed
    await redis.ping();
    const leases = [];
    for (let i = 0; i < 3; i++) leases.push(expectOk(await store.acquire(request())).lease);
    expectRefused(await store.acquire(request())); // concurrency 3 is full

    const log = countCommands(redis);
    const results = await Promise.all([
      store.settle(leases[0], { tokens: 50, costMicros: 500 }),
      store.release(leases[1]),
      store.settle(leases[2], { tokens: 300, costMicros: 2_000 }),
      store.settle(leases[2], { tokens: 300, costMicros: 2_000 }), // a second settle of the same lease is a no-op
    ]);
    expect(log.names).toEqual(['evalsha', 'evalsha']); // the first at once, the others together
    // In order: after the first settle 1_000_000 - 3 × 1_000 reserved + 500 refunded; after all of them 1_000_000 -
    // 500 - 0 - 2_000 (the release refunds all, the second settle of lease 2 changes nothing): 997_500 both times.
    expect(results[0]).toEqual({ remainingMicros: { 'token:1': 997_500 } });
    expect(results[3]).toEqual({ remainingMicros: { 'token:1': 997_500 } });
    expect(await store.getRemaining('token:1')).toBe(997_500);
    const keys = new LimitKeys(p);
    expect(await redis.zcard(keys.concurrency('token:1'))).toBe(0);
    expect(await redis.hgetall(keys.pending('token:1'))).toMatchObject({
      [leases[0].requestId]: expect.stringMatching(/^S500@/),
      [leases[2].requestId]: expect.stringMatching(/^S2000@/),
    });
    expect(await redis.hexists(keys.pending('token:1'), leases[1].requestId)).toBe(0);
  });

  it('a request whose settle or acquire fails inside a shared script call fails alone; the others are applied', async () => {
    const p = prefix();
    const redis = client();
    const store = new RedisLimitStore(redis, { keyPrefix: p });
    const keys = new LimitKeys(p);
    const acquire = (account: string) =>
      store.acquire({
        requestId: randomUUID(),
        scopes: [{ key: account, maxConcurrency: 1 }],
        estimatedTokens: 0,
        quota: [{ key: account, initialRemainingMicros: 1_000 }],
        reserveMicros: 100,
      });
    const good = expectOk(await acquire('token:good')).lease;
    const bad = expectOk(await acquire('token:bad')).lease;
    await redis.set(keys.quota('token:bad'), 'not a number'); // the settle script's arithmetic on it fails

    const [badResult, goodResult] = await Promise.allSettled([
      store.settle(bad, { tokens: 0, costMicros: 50 }),
      store.settle(good, { tokens: 0, costMicros: 50 }),
    ]);
    expect(badResult).toMatchObject({
      status: 'rejected',
      reason: expect.objectContaining({ message: expect.stringContaining(`settling lease ${bad.requestId} failed`) }),
    });
    expect(goodResult).toEqual({ status: 'fulfilled', value: { remainingMicros: { 'token:good': 950 } } });
    // The same for acquires: the one on the broken counter fails, the other is counted (its slot was free again).
    const [badAcquire, goodAcquire] = await Promise.allSettled([acquire('token:bad'), acquire('token:good')]);
    expect(badAcquire).toMatchObject({
      status: 'rejected',
      reason: expect.objectContaining({ message: expect.stringContaining('limit acquire for request') }),
    });
    expect(goodAcquire).toMatchObject({ status: 'fulfilled', value: { ok: true } });
    expect(await store.getRemaining('token:good')).toBe(850);
  });

  it('close() waits for settles not yet sent', async () => {
    const p = prefix();
    const store = RedisLimitStore.fromUrl(REDIS_URL, { keyPrefix: p });
    const observer = new RedisLimitStore(client(), { keyPrefix: p });
    const lease = expectOk(
      await store.acquire({
        requestId: randomUUID(),
        scopes: [{ key: 'token:1' }],
        estimatedTokens: 0,
        quota: [{ key: 'token:1', initialRemainingMicros: 1_000 }],
        reserveMicros: 100,
      }),
    ).lease;
    const settled = store.settle(lease, { tokens: 0, costMicros: 40 });
    await store.close();
    await expect(settled).resolves.toEqual({ remainingMicros: { 'token:1': 960 } });
    expect(await observer.getRemaining('token:1')).toBe(960);
  });

  it('an acquire sent while an admin resets a quota counter meets the old counter or the new one, never none', async () => {
    const store = new RedisLimitStore(client(), { keyPrefix: prefix() });
    const account = 'token:reset';
    // Sent in the same turn: the acquire's script reaches Redis right behind the reset's first command. It starts
    // from a stale view (5000); the admin set 1000.
    const [, acquired] = await Promise.all([
      store.setRemaining(account, 1_000),
      store.acquire({
        requestId: randomUUID(),
        scopes: [{ key: account }],
        estimatedTokens: 0,
        quota: [{ key: account, initialRemainingMicros: 5_000 }],
        reserveMicros: 100,
      }),
    ]);
    expectOk(acquired);
    const [counter] = (await store.snapshotQuota([account])).counters;
    const reserved = Object.values(counter.pending).reduce((sum, c) => sum + (c.state === 'reserved' ? c.micros : 0), 0);
    // Whatever the order, what the counter holds plus what it says it reserved is the admin's 1000.
    expect(counter.remainingMicros! + reserved).toBe(1_000);
  });

  it('falls back to EVAL on NOSCRIPT, then runs by SHA', async () => {
    // A script the server cannot have seen (unique text), without flushing the shared script cache.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-lua-'));
    fs.writeFileSync(path.join(dir, 'probe.lua'), `-- ${randomUUID()}\nreturn redis.call('INCRBY', KEYS[1], ARGV[1])`);
    const script = new LuaScript('probe.lua', dir);
    fs.rmSync(dir, { recursive: true, force: true });
    const redis = client();
    const key = new LimitKeys(prefix()).quota('probe');
    await redis.ping();

    const log = countCommands(redis);
    expect(await script.run(redis, [key], [2])).toBe(2);
    expect(log.names).toEqual(['evalsha', 'eval']);
    expect(await script.run(redis, [key], [3])).toBe(5);
    expect(log.names).toEqual(['evalsha', 'eval', 'evalsha']);
  });

  it('writes the documented key layout with bounded TTLs', async () => {
    const p = prefix();
    const redis = client();
    const keys = new LimitKeys(p);
    const store = new RedisLimitStore(redis, { keyPrefix: p });
    const lease = expectOk(
      await store.acquire({
        requestId: 'req-1',
        scopes: [{ key: 'token:9', tpm: 1000 }],
        estimatedTokens: 10,
        quota: [{ key: 'user:9', initialRemainingMicros: 50 }],
        reserveMicros: 5,
      }),
    ).lease;
    const found = new Set<string>();
    let cursor = '0';
    do {
      const [next, batch] = await redis.scan(cursor, 'MATCH', keys.pattern(), 'COUNT', 1000);
      cursor = next;
      batch.forEach((k) => found.add(k));
    } while (cursor !== '0');
    expect([...found].sort()).toEqual(
      [keys.rpm('token:9'), keys.tpm('token:9'), keys.concurrency('token:9'), keys.quota('user:9'), keys.pending('user:9'), keys.lease('req-1')].sort(),
    );
    expect(keys.rpm('token:9')).toBe(`${p}:{lim}:rpm:token:9`);
    for (const k of found) {
      const ttl = await redis.pttl(k);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(24 * 3_600_000);
    }
    expect(await redis.pttl(keys.rpm('token:9'))).toBeLessThanOrEqual(120_000);
    expect(await redis.zscore(keys.concurrency('token:9'), 'req-1')).toBe(String(lease.acquiredAtMs + 10 * 60_000));
    await store.settle(lease, { tokens: 10, costMicros: 5 });
    expect(await redis.exists(keys.lease('req-1'))).toBe(0);
    expect(await redis.zcard(keys.concurrency('token:9'))).toBe(0);
    // The settled cost stays pending (with the same TTL as its counter) until the reconciler sees it in the ledger.
    expect(await redis.hget(keys.pending('user:9'), 'req-1')).toMatch(/^S5@\d+$/);
    expect(await redis.pttl(keys.pending('user:9'))).toBeGreaterThan(23 * 3_600_000);
  });
});
