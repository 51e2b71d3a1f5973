import { randomUUID } from 'node:crypto';
import { budgetAccount } from '../budgets/budget-accounts';
import type { AcquireRequest, AcquireResult, Lease, LimitScope, LimitStore } from '../limit-store.types';

/**
 * The behaviour every LimitStore must show, run against MemoryLimitStore (unit) and RedisLimitStore (integration,
 * real Redis). Time is a fake clock handed to the store, so window arithmetic is checked to the millisecond.
 */
export interface LimitStoreHarness {
  /** A new, empty store (its own key space) that reads time from `now`. */
  create(now: () => number): Promise<LimitStore>;
  /** Drops everything create() made. */
  destroy(): Promise<void>;
}

/** A second boundary, so bucket arithmetic is easy to read: a hit at T0 + x ms is in bucket T0 + floor(x / 1000). */
export const T0 = 1_700_000_000_000;

export function expectOk(r: AcquireResult): Extract<AcquireResult, { ok: true }> {
  if (!r.ok) throw new Error(`expected acquire to succeed, got ${JSON.stringify(r)}`);
  return r;
}

export function expectRefused(r: AcquireResult): Extract<AcquireResult, { ok: false }> {
  if (r.ok) throw new Error(`expected acquire to be refused, got ${JSON.stringify(r)}`);
  return r;
}

export function describeLimitStoreBehaviour(name: string, makeHarness: () => LimitStoreHarness): void {
  describe(`${name}: LimitStore behaviour`, () => {
    const harness = makeHarness();
    let now = T0;
    let store: LimitStore;

    beforeEach(async () => {
      now = T0;
      store = await harness.create(() => now);
    });
    afterEach(async () => {
      await store.close();
    });
    afterAll(async () => {
      await harness.destroy();
    });

    const scope = (key: string, limits: Omit<LimitScope, 'key'> = {}): LimitScope => ({ key, ...limits });
    const req = (over: Partial<AcquireRequest> = {}): AcquireRequest => ({
      requestId: randomUUID(),
      scopes: [scope('token:1')],
      estimatedTokens: 0,
      quota: [],
      reserveMicros: 0,
      ...over,
    });
    const at = async (ms: number, over: Partial<AcquireRequest> = {}): Promise<AcquireResult> => {
      now = T0 + ms;
      return store.acquire(req(over));
    };

    describe('RPM (sliding 60 s window)', () => {
      const rpm3 = { scopes: [scope('token:1', { rpm: 3 })] };

      it('refuses the request over the limit until the oldest hit leaves the window', async () => {
        expectOk(await at(0, rpm3));
        expectOk(await at(10_000, rpm3));
        expectOk(await at(20_000, rpm3));
        const refused = expectRefused(await at(30_000, rpm3));
        expect(refused).toEqual({ ok: false, reason: 'rpm', scope: 'token:1', retryAfterMs: 30_000, limit: 3 });
        expect(expectRefused(await at(59_999, rpm3)).retryAfterMs).toBe(1);
        // The hit at T0 is gone; the refused attempts were not counted.
        const ok = expectOk(await at(60_000, rpm3));
        expect(ok.remaining).toEqual([{ scope: 'token:1', rpmRemaining: 0, resetMs: 10_000 }]);
        expectRefused(await at(60_001, rpm3));
        expectOk(await at(70_000, rpm3));
      });

      it('is exact to the second: a hit leaves the window when its second is 60 s old', async () => {
        expectOk(await at(900, rpm3));
        expectOk(await at(900, rpm3));
        expectOk(await at(900, rpm3));
        expect(expectRefused(await at(59_500, rpm3)).retryAfterMs).toBe(500);
        expectOk(await at(60_000, rpm3));
      });

      it('reports what is left and when the window next frees up', async () => {
        const first = expectOk(await at(500, { scopes: [scope('token:1', { rpm: 10 })] }));
        expect(first.remaining).toEqual([{ scope: 'token:1', rpmRemaining: 9, resetMs: 59_500 }]);
        const second = expectOk(await at(20_250, { scopes: [scope('token:1', { rpm: 10 })] }));
        expect(second.remaining).toEqual([{ scope: 'token:1', rpmRemaining: 8, resetMs: 39_750 }]);
      });

      it('Retry-After covers as many old hits as must leave (limit lowered below the current count)', async () => {
        for (const t of [0, 5_000, 10_000, 15_000]) expectOk(await at(t, { scopes: [scope('token:1')] }));
        // 4 hits in the window, limit now 2: 3 must leave before one more fits -> the hit at 10 s leaves at 70 s.
        const refused = expectRefused(await at(20_000, { scopes: [scope('token:1', { rpm: 2 })] }));
        expect(refused.retryAfterMs).toBe(50_000);
      });

      it('a limit of 0 refuses everything for a whole window', async () => {
        const refused = expectRefused(await at(0, { scopes: [scope('token:1', { rpm: 0 })] }));
        expect(refused).toMatchObject({ reason: 'rpm', retryAfterMs: 60_000, limit: 0 });
      });

      it('scopes without limits are still counted', async () => {
        for (let i = 0; i < 3; i++) expectOk(await at(i * 1000, { scopes: [scope('token:1')] }));
        expect(expectOk(await at(3_000, { scopes: [scope('token:1')] })).remaining).toEqual([]);
        expectRefused(await at(4_000, { scopes: [scope('token:1', { rpm: 4 })] }));
      });
    });

    describe('TPM (sliding 60 s window, estimate corrected at settle)', () => {
      const tpm = (limit: number) => ({ scopes: [scope('token:1', { tpm: limit })] });

      it('counts the estimate and refuses what would go over', async () => {
        const a = expectOk(await at(0, { ...tpm(1000), estimatedTokens: 600 }));
        expect(a.remaining).toEqual([{ scope: 'token:1', tpmRemaining: 400, resetMs: 60_000 }]);
        const refused = expectRefused(await at(5_000, { ...tpm(1000), estimatedTokens: 500 }));
        expect(refused).toEqual({ ok: false, reason: 'tpm', scope: 'token:1', retryAfterMs: 55_000, limit: 1000 });
        const b = expectOk(await at(6_000, { ...tpm(1000), estimatedTokens: 400 }));
        expect(b.remaining[0].tpmRemaining).toBe(0);
        expect(expectRefused(await at(7_000, { ...tpm(1000), estimatedTokens: 1 })).retryAfterMs).toBe(53_000);
      });

      it('settle gives back the unused estimate in the same window', async () => {
        const a = expectOk(await at(0, { ...tpm(1000), estimatedTokens: 900 }));
        expectRefused(await at(1_000, { ...tpm(1000), estimatedTokens: 500 }));
        now = T0 + 2_000;
        await store.settle(a.lease, { tokens: 100, costMicros: 0 });
        const b = expectOk(await at(3_000, { ...tpm(1000), estimatedTokens: 500 }));
        expect(b.remaining[0].tpmRemaining).toBe(400);
      });

      it('settle counts tokens beyond the estimate from the settle time on', async () => {
        const a = expectOk(await at(0, { ...tpm(1000), estimatedTokens: 100 }));
        now = T0 + 30_000;
        await store.settle(a.lease, { tokens: 700, costMicros: 0 });
        expect(expectOk(await at(30_000, { ...tpm(1000), estimatedTokens: 100 })).remaining[0].tpmRemaining).toBe(200);
        // At 60 s the estimate (bucket 0) has left, the 600 extra tokens counted at 30 s have not.
        expect(expectOk(await at(60_000, { ...tpm(1000), estimatedTokens: 100 })).remaining[0].tpmRemaining).toBe(200);
        expect(expectOk(await at(90_000, { ...tpm(1000), estimatedTokens: 100 })).remaining[0].tpmRemaining).toBe(800);
      });

      it('an estimate above the whole limit gets into an empty window only', async () => {
        expectOk(await at(0, { ...tpm(1000), estimatedTokens: 5000 }));
        const refused = expectRefused(await at(1_000, { ...tpm(1000), estimatedTokens: 5000 }));
        expect(refused.retryAfterMs).toBe(59_000);
        expectOk(await at(60_000, { ...tpm(1000), estimatedTokens: 5000 }));
      });

      it('a limit of 0 refuses any request with tokens', async () => {
        expect(expectRefused(await at(0, { ...tpm(0), estimatedTokens: 1 }))).toMatchObject({ reason: 'tpm', retryAfterMs: 60_000 });
      });
    });

    describe('concurrency', () => {
      const cc2 = (over: Partial<AcquireRequest> = {}) => ({ scopes: [scope('token:1', { maxConcurrency: 2 })], ...over });

      it('counts live leases; settle and release free a slot', async () => {
        const a = expectOk(await at(0, cc2()));
        const b = expectOk(await at(0, cc2()));
        expect(expectRefused(await at(0, cc2()))).toEqual({
          ok: false,
          reason: 'concurrency',
          scope: 'token:1',
          retryAfterMs: 1000,
          limit: 2,
        });
        await store.settle(a.lease, { tokens: 0, costMicros: 0 });
        const c = expectOk(await at(0, cc2()));
        expectRefused(await at(0, cc2()));
        await store.release(b.lease);
        expectOk(await at(0, cc2()));
        expectRefused(await at(0, cc2()));
        await store.release(c.lease);
        expectOk(await at(0, cc2()));
      });

      it("a crashed gateway's leases expire after their TTL", async () => {
        expectOk(await at(0, cc2({ leaseTtlMs: 5_000 })));
        expectOk(await at(1_000, cc2({ leaseTtlMs: 5_000 })));
        expectRefused(await at(4_999, cc2()));
        expectOk(await at(5_000, cc2()));
        expectRefused(await at(5_500, cc2()));
        expectOk(await at(6_000, cc2()));
      });
    });

    describe('quota', () => {
      const accounts = (token: number, user?: number) => [
        { key: 'token:1', initialRemainingMicros: token },
        ...(user === undefined ? [] : [{ key: 'user:1', initialRemainingMicros: user }]),
      ];

      it('reserves against every account and refuses a reservation above what is left', async () => {
        expect(await store.getRemaining('token:1')).toBeNull();
        expectOk(await at(0, { quota: accounts(1000, 5000), reserveMicros: 600 }));
        expect(await store.getRemaining('token:1')).toBe(400);
        expect(await store.getRemaining('user:1')).toBe(4400);
        // Lazy init is used only while the store has no value.
        expect(expectRefused(await at(0, { quota: accounts(1000, 5000), reserveMicros: 500 }))).toEqual({
          ok: false,
          reason: 'quota',
          scope: 'token:1',
          retryAfterMs: 0,
        });
        expectOk(await at(0, { quota: accounts(1000, 5000), reserveMicros: 400 }));
        expect(await store.getRemaining('token:1')).toBe(0);
        expect(await store.getRemaining('user:1')).toBe(4000);
      });

      it('a reservation of 0 still needs something left', async () => {
        expect(expectRefused(await at(0, { quota: accounts(0), reserveMicros: 0 })).reason).toBe('quota');
        expectOk(await at(0, { quota: [{ key: 'user:1', initialRemainingMicros: 1 }], reserveMicros: 0 }));
        expect(await store.getRemaining('user:1')).toBe(1);
      });

      it('any account short refuses the request and reserves on none', async () => {
        const refused = expectRefused(await at(0, { quota: accounts(1000, 100), reserveMicros: 200 }));
        expect(refused).toMatchObject({ reason: 'quota', scope: 'user:1', retryAfterMs: 0 });
        expect(await store.getRemaining('token:1')).toBeNull();
        await store.setRemaining('user:1', 300);
        expectOk(await at(0, { quota: accounts(1000, 100), reserveMicros: 200 }));
        expect(await store.getRemaining('token:1')).toBe(800);
        expect(await store.getRemaining('user:1')).toBe(100);
      });

      it('setRemaining overrides, null deletes so the next acquire re-initialises', async () => {
        await store.setRemaining('token:1', 50);
        expect(await store.getRemaining('token:1')).toBe(50);
        expectRefused(await at(0, { quota: accounts(1_000_000), reserveMicros: 60 }));
        await store.setRemaining('token:1', null);
        expect(await store.getRemaining('token:1')).toBeNull();
        expectOk(await at(0, { quota: accounts(1_000_000), reserveMicros: 60 }));
        expect(await store.getRemaining('token:1')).toBe(999_940);
        await store.setRemaining('token:1', -5);
        expect(await store.getRemaining('token:1')).toBe(-5);
      });

      it('keeps micro-dollar amounts exact far above 2^31', async () => {
        const big = 9_000_000_000_123_456; // < 2^53
        const a = expectOk(await at(0, { quota: accounts(big), reserveMicros: 1_000_000_000_001 }));
        expect(await store.getRemaining('token:1')).toBe(big - 1_000_000_000_001);
        const settled = await store.settle(a.lease, { tokens: 0, costMicros: 3 });
        expect(settled.remainingMicros).toEqual({ 'token:1': big - 3 });
      });
    });

    describe('all-or-nothing', () => {
      it('a refusal in a later scope counts nothing in the earlier ones and reserves nothing', async () => {
        const scopes = [scope('token:1', { rpm: 10, tpm: 1000, maxConcurrency: 1 }), scope('group:g', { rpm: 1 })];
        const quota = [{ key: 'token:1', initialRemainingMicros: 1000 }];
        expectOk(await at(0, { scopes: [scope('group:g')] }));
        const refused = expectRefused(await at(0, { scopes, quota, reserveMicros: 100, estimatedTokens: 100 }));
        expect(refused).toMatchObject({ reason: 'rpm', scope: 'group:g' });
        expect(await store.getRemaining('token:1')).toBeNull();
        // Concurrency slot, RPM and TPM of token:1 are untouched.
        const ok = expectOk(await at(60_000, { scopes, quota, reserveMicros: 100, estimatedTokens: 100 }));
        expect(ok.remaining).toEqual([
          { scope: 'token:1', rpmRemaining: 9, tpmRemaining: 900, resetMs: 60_000 },
          { scope: 'group:g', rpmRemaining: 0, resetMs: 60_000 },
        ]);
        expect(await store.getRemaining('token:1')).toBe(900);
      });

      it('a quota refusal counts no RPM, TPM or concurrency', async () => {
        const scopes = [scope('token:1', { rpm: 1, tpm: 100, maxConcurrency: 1 })];
        expectRefused(await at(0, { scopes, quota: [{ key: 'user:1', initialRemainingMicros: 0 }], estimatedTokens: 100 }));
        expectOk(await at(0, { scopes, estimatedTokens: 100 }));
      });

      it('reports the refusal with the longest Retry-After across scopes', async () => {
        expectOk(await at(0, { scopes: [scope('group:g')] }));
        expectOk(await at(40_000, { scopes: [scope('token:1')] }));
        const scopes = [scope('token:1', { rpm: 1, maxConcurrency: 0 }), scope('group:g', { rpm: 1 })];
        // token:1: rpm frees at 100 s (40 s from now), concurrency 1 s; group:g frees at 60 s (10 s from now).
        expect(expectRefused(await at(50_000, { scopes }))).toEqual({
          ok: false,
          reason: 'rpm',
          scope: 'token:1',
          retryAfterMs: 50_000,
          limit: 1,
        });
      });
    });

    describe('settle and release', () => {
      const quota = [
        { key: 'token:1', initialRemainingMicros: 10_000 },
        { key: 'user:1', initialRemainingMicros: 50_000 },
      ];
      const scopes = [scope('token:1', { rpm: 2, tpm: 1000, maxConcurrency: 1 })];

      it('settle refunds reserved - actual to every account', async () => {
        const a = expectOk(await at(0, { scopes, quota, reserveMicros: 4_000, estimatedTokens: 500 }));
        expect(a.lease).toEqual({
          requestId: a.lease.requestId,
          scopes: ['token:1'],
          quota: ['token:1', 'user:1'],
          reservedMicros: 4_000,
          estimatedTokens: 500,
          acquiredAtMs: T0,
        });
        const settled = await store.settle(a.lease, { tokens: 200, costMicros: 1_500 });
        expect(settled.remainingMicros).toEqual({ 'token:1': 8_500, 'user:1': 48_500 });
        expect(await store.getRemaining('token:1')).toBe(8_500);
      });

      it('settle charges more than reserved, even below zero, and the account then refuses', async () => {
        const a = expectOk(await at(0, { scopes, quota, reserveMicros: 10_000 }));
        const settled = await store.settle(a.lease, { tokens: 0, costMicros: 12_345 });
        expect(settled.remainingMicros).toEqual({ 'token:1': -2_345, 'user:1': 37_655 });
        expect(expectRefused(await at(1_000, { scopes, quota, reserveMicros: 0 }))).toMatchObject({
          reason: 'quota',
          scope: 'token:1',
        });
      });

      it('release refunds everything, frees concurrency and TPM, but the RPM hit stays', async () => {
        const a = expectOk(await at(0, { scopes, quota, reserveMicros: 4_000, estimatedTokens: 1000 }));
        expectRefused(await at(0, { scopes, quota, reserveMicros: 1, estimatedTokens: 1 }));
        await store.release(a.lease);
        expect(await store.getRemaining('token:1')).toBe(10_000);
        expect(await store.getRemaining('user:1')).toBe(50_000);
        const b = expectOk(await at(1_000, { scopes, quota, reserveMicros: 1, estimatedTokens: 1000 }));
        expect(b.remaining).toEqual([{ scope: 'token:1', rpmRemaining: 0, tpmRemaining: 0, resetMs: 59_000 }]);
      });

      it('is idempotent: only the first settle or release of a lease counts', async () => {
        const a = expectOk(await at(0, { scopes, quota, reserveMicros: 4_000 }));
        await store.settle(a.lease, { tokens: 0, costMicros: 1_000 });
        const again = await store.settle(a.lease, { tokens: 0, costMicros: 1_000 });
        expect(again.remainingMicros).toEqual({ 'token:1': 9_000, 'user:1': 49_000 });
        await store.release(a.lease);
        expect(await store.getRemaining('token:1')).toBe(9_000);
      });

      it('a concurrent request keeps its slot when another is settled twice', async () => {
        const cc = [scope('token:1', { maxConcurrency: 2 })];
        const a = expectOk(await at(0, { scopes: cc }));
        expectOk(await at(0, { scopes: cc }));
        await store.release(a.lease);
        await store.release(a.lease);
        expectOk(await at(0, { scopes: cc }));
        expectRefused(await at(0, { scopes: cc }));
      });

      it('does not recreate an account deleted while the request was in flight', async () => {
        const a = expectOk(await at(0, { scopes, quota, reserveMicros: 4_000 }));
        await store.setRemaining('token:1', null);
        const settled = await store.settle(a.lease, { tokens: 0, costMicros: 1_000 });
        expect(settled.remainingMicros).toEqual({ 'user:1': 49_000 });
        expect(await store.getRemaining('token:1')).toBeNull();
      });

      it('settles a lease whose concurrency slot already expired (long stream)', async () => {
        const a = expectOk(await at(0, { scopes, quota, reserveMicros: 4_000, leaseTtlMs: 1_000 }));
        now = T0 + 30 * 60_000;
        const settled = await store.settle(a.lease, { tokens: 10, costMicros: 5_000 });
        expect(settled.remainingMicros).toEqual({ 'token:1': 5_000, 'user:1': 45_000 });
      });
    });

    describe('pending charges (what the reconciler compares with the ledger)', () => {
      const quota = [
        { key: 'token:1', initialRemainingMicros: 10_000 },
        { key: 'user:1', initialRemainingMicros: 50_000 },
      ];
      const snap = async (...accounts: string[]) => (await store.snapshotQuota(accounts)).counters;
      const accountsNow = async () => {
        const all: string[] = [];
        for await (const batch of store.quotaAccounts()) all.push(...batch);
        return all.sort();
      };

      it('a reservation is pending until settled, then the actual cost is; a release leaves nothing', async () => {
        const a = expectOk(await at(0, { requestId: 'req-a', quota, reserveMicros: 4_000 }));
        const b = expectOk(await at(1_000, { requestId: 'req-b', quota, reserveMicros: 1_000 }));
        expect(await accountsNow()).toEqual(['token:1', 'user:1']);
        const [token, user] = await snap('token:1', 'user:1');
        expect(token).toMatchObject({ account: 'token:1', remainingMicros: 5_000 });
        expect(token.epoch).toEqual(expect.any(String));
        expect(token.pending).toEqual({
          'req-a': { state: 'reserved', micros: 4_000, sinceMs: T0 },
          'req-b': { state: 'reserved', micros: 1_000, sinceMs: T0 + 1_000 },
        });
        expect(user.remainingMicros).toBe(45_000);
        now = T0 + 2_000;
        await store.settle(a.lease, { tokens: 5, costMicros: 2_500 });
        await store.release(b.lease);
        const [after] = await snap('token:1');
        expect(after.remainingMicros).toBe(7_500);
        expect(after.epoch).toBe(token.epoch);
        expect(after.pending).toEqual({ 'req-a': { state: 'settled', micros: 2_500, sinceMs: T0 + 2_000 } });
      });

      it('a settle at cost 0 leaves nothing pending; an account without a counter reads as null', async () => {
        const a = expectOk(await at(0, { requestId: 'req-0', quota, reserveMicros: 300 }));
        await store.settle(a.lease, { tokens: 0, costMicros: 0 });
        const [token, missing] = await snap('token:1', 'token:404');
        expect(token.pending).toEqual({});
        expect(missing).toEqual({ account: 'token:404', remainingMicros: null, epoch: null, pending: {} });
      });

      it('a corrected counter moves by the delta and forgets exactly the entries it was told', async () => {
        const a = expectOk(await at(0, { requestId: 'req-a', quota, reserveMicros: 4_000 }));
        const b = expectOk(await at(0, { requestId: 'req-b', quota, reserveMicros: 1_000 }));
        await store.settle(a.lease, { tokens: 5, costMicros: 2_500 });
        const [seen] = await snap('token:1');
        // req-b settles after the snapshot: its entry no longer matches what the correction names, so it stays.
        await store.settle(b.lease, { tokens: 5, costMicros: 700 });
        const applied = await store.correctQuota([{ account: 'token:1', epoch: seen.epoch!, deltaMicros: -123, forget: seen.pending }]);
        expect(applied).toEqual([true]);
        const [after] = await snap('token:1');
        expect(after.remainingMicros).toBe(10_000 - 2_500 - 700 - 123);
        expect(Object.keys(after.pending)).toEqual(['req-b']);
        expect(after.pending['req-b']).toMatchObject({ state: 'settled', micros: 700 });
      });

      it('a correction computed in an earlier life of the counter is not applied', async () => {
        expectOk(await at(0, { requestId: 'req-a', quota, reserveMicros: 4_000 }));
        const [seen] = await snap('token:1');
        await store.setRemaining('token:1', null);
        expect(await store.correctQuota([{ account: 'token:1', epoch: seen.epoch!, deltaMicros: 5, forget: {} }])).toEqual([false]);
        expectOk(await at(0, { requestId: 'req-c', quota, reserveMicros: 100 }));
        const [fresh] = await snap('token:1');
        expect(fresh.epoch).not.toBe(seen.epoch);
        expect(fresh.pending).toEqual({ 'req-c': { state: 'reserved', micros: 100, sinceMs: T0 } });
        expect(await store.correctQuota([{ account: 'token:1', epoch: seen.epoch!, deltaMicros: 5, forget: {} }])).toEqual([false]);
        await store.setRemaining('token:1', 777);
        const [set] = await snap('token:1');
        expect(set).toMatchObject({ remainingMicros: 777, pending: {} });
        expect(set.epoch).not.toBe(fresh.epoch);
        expect(await store.correctQuota([{ account: 'token:1', epoch: fresh.epoch!, deltaMicros: 5, forget: {} }])).toEqual([false]);
        expect(await store.getRemaining('token:1')).toBe(777);
      });

      it('a request reserved before the counter was re-initialised is charged its whole cost at settle', async () => {
        const a = expectOk(await at(0, { requestId: 'req-old', quota, reserveMicros: 4_000 }));
        await store.setRemaining('token:1', null); // an admin changed the quota
        expectOk(await at(0, { requestId: 'req-new', quota: [{ key: 'token:1', initialRemainingMicros: 20_000 }], reserveMicros: 1_000 }));
        await store.settle(a.lease, { tokens: 5, costMicros: 2_500 });
        // The new life started from the DB's view, which did not include req-old: it is charged, not refunded.
        expect(await store.getRemaining('token:1')).toBe(20_000 - 1_000 - 2_500);
        const [token] = await snap('token:1');
        expect(token.pending['req-old']).toMatchObject({ state: 'settled', micros: 2_500 });
        // The user's counter lived on: the usual refund.
        expect(await store.getRemaining('user:1')).toBe(50_000 - 2_500);
      });
    });

    describe("billed charges (billing folds its debit's settled entries)", () => {
      const quota = [
        { key: 'token:1', initialRemainingMicros: 10_000 },
        { key: 'user:1', initialRemainingMicros: 50_000 },
      ];
      const accounts = ['token:1', 'user:1'];
      const snap = async (...names: string[]) => (await store.snapshotQuota(names)).counters;
      const served = async (requestId: string, cost: number) => {
        const a = expectOk(await at(0, { requestId, quota, reserveMicros: 3_000 }));
        now = T0 + 500;
        await store.settle(a.lease, { tokens: 1, costMicros: cost });
        return a.lease;
      };

      it('folds settled entries of exactly the billed cost into one entry per counter, adding to it; the counter is unchanged', async () => {
        await served('req-a', 1_000);
        await served('req-b', 2_000);
        await served('req-c', 500);
        const pending = expectOk(await at(0, { requestId: 'req-d', quota, reserveMicros: 700 })); // still reserved
        now = T0 + 900;
        const folded = await store.confirmBilled('731', [
          { requestId: 'req-a', accounts, costMicros: 1_000 },
          { requestId: 'req-c', accounts, costMicros: 499 }, // not the settled cost: left alone
          { requestId: 'req-d', accounts, costMicros: 700 }, // not settled yet: left alone
          { requestId: 'req-x', accounts: ['token:1', 'token:404'], costMicros: 5 }, // nothing of it here
        ]);
        expect(folded).toBe(1);
        expect(await store.confirmBilled('731', [{ requestId: 'req-b', accounts: ['token:1'], costMicros: 2_000 }])).toBe(1);
        const [token, user] = await snap('token:1', 'user:1');
        expect(token.remainingMicros).toBe(10_000 - 3_500 - 700);
        expect(token.pending).toEqual({
          '#tx:731': { state: 'billed', micros: 3_000, sinceMs: T0 + 900 },
          'req-c': { state: 'settled', micros: 500, sinceMs: T0 + 500 },
          'req-d': { state: 'reserved', micros: 700, sinceMs: T0 },
        });
        expect(user.pending).toEqual({
          '#tx:731': { state: 'billed', micros: 1_000, sinceMs: T0 + 900 },
          'req-b': { state: 'settled', micros: 2_000, sinceMs: T0 + 500 },
          'req-c': { state: 'settled', micros: 500, sinceMs: T0 + 500 },
          'req-d': { state: 'reserved', micros: 700, sinceMs: T0 },
        });
        // A fold does not open a new life: a correction computed before it still applies, and forgets the entry it saw.
        const applied = await store.correctQuota([
          { account: 'token:1', epoch: token.epoch!, deltaMicros: 0, forget: { '#tx:731': token.pending['#tx:731'] } },
        ]);
        expect(applied).toEqual([true]);
        expect(Object.keys((await snap('token:1'))[0].pending).sort()).toEqual(['req-c', 'req-d']);
        await store.release(pending.lease);
      });

      it('folds nothing into a counter re-initialised since the request settled, nor twice', async () => {
        await served('req-a', 1_000);
        await store.setRemaining('user:1', 40_000);
        expect(await store.confirmBilled('9', [{ requestId: 'req-a', accounts, costMicros: 1_000 }])).toBe(1);
        expect(await store.confirmBilled('10', [{ requestId: 'req-a', accounts, costMicros: 1_000 }])).toBe(0);
        const [token, user] = await snap('token:1', 'user:1');
        expect(Object.keys(token.pending)).toEqual(['#tx:9']);
        expect(user).toMatchObject({ remainingMicros: 40_000, pending: {} });
      });
    });

    describe('budgets (a quota account per budget and period)', () => {
      const day = (ms: number) =>
        budgetAccount('user', 3, { amountMicros: 30_000, period: 'day', softLimitMicros: 20_000, periodStartMs: T0, spentMicros: 0 }, ms).quota;

      it('reserves up to the amount, refuses the request that would overdraw it, and a new period admits again', async () => {
        const today = day(T0);
        for (let i = 0; i < 3; i++)
          await store.settle(expectOk(await at(0, { quota: [today], reserveMicros: 10_000 })).lease, { tokens: 1, costMicros: 10_000 });
        const refused = expectRefused(await at(1, { quota: [today], reserveMicros: 10_000 }));
        expect(refused).toMatchObject({ reason: 'quota', scope: today.key });
        const tomorrow = day(T0 + 86_400_000);
        expect(tomorrow.key).not.toBe(today.key);
        expectOk(await at(2, { quota: [tomorrow], reserveMicros: 10_000 }));
        expect(await store.getRemaining(tomorrow.key)).toBe(20_000);
      });

      it('markOnce answers true once per key until its time is up', async () => {
        expect(await store.markOnce('budget-reached:x', 1_000)).toBe(true);
        expect(await store.markOnce('budget-reached:x', 1_000)).toBe(false);
        expect(await store.markOnce('budget-reached:y', 1_000)).toBe(true);
      });
    });

    describe('input checks', () => {
      it('refuses a requestId whose lease is still held', async () => {
        const first = expectOk(await at(0, { requestId: 'dup-1' }));
        await expect(at(0, { requestId: 'dup-1' })).rejects.toThrow(/already held/);
        await store.settle(first.lease, { tokens: 0, costMicros: 0 });
      });

      it('rejects amounts that are not whole micro-dollars or tokens, and duplicate scopes', async () => {
        await expect(at(0, { reserveMicros: 1.5 })).rejects.toThrow(RangeError);
        await expect(at(0, { estimatedTokens: -1 })).rejects.toThrow(RangeError);
        await expect(at(0, { scopes: [scope('token:1'), scope('token:1')] })).rejects.toThrow(RangeError);
        await expect(at(0, { requestId: '#epoch' })).rejects.toThrow(RangeError);
        const lease: Lease = { requestId: 'x', scopes: [], quota: [], reservedMicros: 0, estimatedTokens: 0, acquiredAtMs: T0 };
        await expect(store.settle(lease, { tokens: 0, costMicros: Number.NaN })).rejects.toThrow(RangeError);
      });
    });
  });
}

/**
 * N concurrent acquires against a quota that covers exactly `fits` reservations: exactly `fits` succeed, the
 * remaining never goes below zero, and settling them all leaves initial - sum(actual costs).
 */
export async function runOverdrawScenario(
  stores: LimitStore[],
  options: { attempts: number; fits: number; reserveMicros: number; account: string },
): Promise<void> {
  const { attempts, fits, reserveMicros, account } = options;
  const initial = fits * reserveMicros;
  const quota = [
    { key: account, initialRemainingMicros: initial },
    { key: `${account}:user`, initialRemainingMicros: initial * 100 },
  ];
  let lowest = initial;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const value = await stores[0].getRemaining(account);
      if (value !== null) lowest = Math.min(lowest, value);
      await new Promise((resolve) => setImmediate(resolve));
    }
  })();
  const results = await Promise.all(
    Array.from({ length: attempts }, (_, i) =>
      stores[i % stores.length].acquire({
        requestId: randomUUID(),
        scopes: [{ key: `${account}:scope`, maxConcurrency: attempts }],
        estimatedTokens: 10,
        quota,
        reserveMicros,
      }),
    ),
  );
  sampling = false;
  await sampler;

  const granted = results.filter((r) => r.ok);
  const refused = results.filter((r) => !r.ok);
  expect(granted).toHaveLength(fits);
  expect(refused.every((r) => !r.ok && r.reason === 'quota' && r.scope === account)).toBe(true);
  expect(lowest).toBeGreaterThanOrEqual(0);
  expect(await stores[0].getRemaining(account)).toBe(0);
  expect(await stores[0].getRemaining(`${account}:user`)).toBe(initial * 100 - initial);

  // Settle every lease at a different actual cost (some above the reservation).
  let spent = 0;
  await Promise.all(
    granted.map((r, i) => {
      const cost = Math.round((reserveMicros * (i + 1)) / fits) + (i % 3 === 0 ? 7 : 0);
      spent += cost;
      return stores[(i + 1) % stores.length].settle(expectOk(r).lease, { tokens: 5, costMicros: cost });
    }),
  );
  expect(await stores[0].getRemaining(account)).toBe(initial - spent);
  expect(await stores[0].getRemaining(`${account}:user`)).toBe(initial * 100 - spent);
}
