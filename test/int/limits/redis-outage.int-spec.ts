// RedisLimitStore while its Redis goes away and comes back (a private redis-server the test kills, pauses and restarts
// on the same port): every call fails within a bound and as LimitStoreUnavailableError, none waits for the outage to
// end, and what requests reserved before it is given back once Redis is back (nothing leaked).
import { LimitStoreUnavailableError, RedisLimitStore, REDIS_COMMAND_TIMEOUT_MS, type AcquireRequest, type Lease } from '@switchboard/limits';
import { redisServerBinary, startPrivateRedis, type PrivateRedis } from '../../support/private-redis';

jest.setTimeout(60_000);

const run = redisServerBinary() ? describe : describe.skip;

const request = (requestId: string): AcquireRequest => ({
  requestId,
  estimatedTokens: 100,
  reserveMicros: 400_000,
  scopes: [{ key: 'token:1', maxConcurrency: 1 }],
  quota: [{ key: 'user:1', initialRemainingMicros: 1_000_000 }],
});

async function until(what: string, fn: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await fn().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what}: not within ${timeoutMs} ms`);
}

/** How long a promise takes to settle, and its error if it rejects. */
async function timed(p: Promise<unknown>): Promise<{ ms: number; error: unknown }> {
  const t0 = Date.now();
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  return { ms: Date.now() - t0, error };
}

run('RedisLimitStore through a Redis outage (private redis-server)', () => {
  let redis: PrivateRedis;
  let store: RedisLimitStore;

  beforeEach(async () => {
    redis = await startPrivateRedis({ persist: true });
    store = RedisLimitStore.fromUrl(redis.url);
    await until('connected', async () => (await store.ping(), true), 5_000);
  });

  afterEach(async () => {
    await store.close();
    await redis.stop();
  });

  it('killed: calls fail at once as unavailable; a lease taken before is released once Redis is back', async () => {
    const first = await store.acquire(request('r1'));
    if (!first.ok) throw new Error('first acquire refused');
    // The concurrency limit of 1 is held by r1 from now on, and 400 000 of the 1 000 000 are reserved.
    expect(await store.getRemaining('user:1')).toBe(600_000);

    await redis.kill();
    const t0 = Date.now();
    const [acquire, release, ping] = await Promise.all([
      store.acquire(request('r2')).then(
        () => null,
        (e: unknown) => e,
      ),
      store.release(first.lease).then(
        () => null,
        (e: unknown) => e,
      ),
      store.ping().then(
        () => null,
        (e: unknown) => e,
      ),
    ]);
    expect(Date.now() - t0).toBeLessThan(REDIS_COMMAND_TIMEOUT_MS + 1_000);
    expect(acquire).toBeInstanceOf(LimitStoreUnavailableError);
    expect(release).toBeInstanceOf(LimitStoreUnavailableError);
    expect(ping).toBeInstanceOf(Error);
    // r1's release, and r2's (its acquire may have run before the answer was lost).
    expect(store.unsettledCount).toBe(2);

    await redis.restart();
    // Back by itself: ping answers, the kept release ran (r1's slot and reservation are back), new requests pass.
    await until('ping answers again', async () => (await store.ping(), true), 5_000);
    await until('the kept releases sent', async () => store.unsettledCount === 0, 5_000);
    await until('the reservation given back', async () => (await store.getRemaining('user:1')) === 1_000_000, 5_000);
    const again = await store.acquire(request('r3'));
    expect(again).toMatchObject({ ok: true });
    await store.release((again as { lease: Lease }).lease);
  });

  it('paused (accepts, never answers): every call fails within the command timeout instead of hanging', async () => {
    const first = await store.acquire(request('p1'));
    if (!first.ok) throw new Error('first acquire refused');
    redis.pause();
    const acquire = await timed(store.acquire(request('p2')));
    const settle = await timed(store.settle(first.lease, { tokens: 120, costMicros: 300_000 }));
    expect(acquire.error).toBeInstanceOf(LimitStoreUnavailableError);
    expect(settle.error).toBeInstanceOf(LimitStoreUnavailableError);
    for (const t of [acquire, settle]) expect(t.ms).toBeLessThan(REDIS_COMMAND_TIMEOUT_MS + 1_000);

    redis.resume();
    // The settle is sent again: 300 000 charged, the other 100 000 of the reservation refunded; the slot is free.
    await until('the kept settle sent', async () => store.unsettledCount === 0, 8_000);
    await until('settled to the actual cost', async () => (await store.getRemaining('user:1')) === 700_000, 5_000);
    expect(await store.acquire(request('p3'))).toMatchObject({ ok: true });
  });
});
