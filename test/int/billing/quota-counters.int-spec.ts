import os from 'node:os';
import { Logger } from '@nestjs/common';
import { openDatabase, type Database, type PrismaService } from '@switchboard/db';
import { MemoryLimitStore, RedisLimitStore, type Lease, type LimitStore } from '@switchboard/limits';
import type { Bus, UsageQueue } from '@switchboard/messaging';
import { processMetrics } from '@switchboard/observability';
import type { Redis } from 'ioredis';
import { UNCONFIRMED_SETTLED_MS } from '../../../apps/billing/src/ledger/quota-counter-check';
import { QuotaCounterReconciler } from '../../../apps/billing/src/ledger/quota-counter-reconciler.service';
import { QuotaViewRepository } from '../../../apps/billing/src/ledger/quota-view.repository';
import { UsageLedgerRepository } from '../../../apps/billing/src/ledger/usage-ledger.repository';
import { UsageBillingConsumer } from '../../../apps/billing/src/usage/usage-billing.consumer';
import { TEST_BILLING_SETTINGS as SETTINGS, usageRecord as record } from './billing-fixtures';
import { createThrowawayDatabase, describePostgres, type ThrowawayDatabase } from '../db/harness';
import { connect, deletePrefix, describeWithRedis, uniquePrefix } from '../limits/redis-test.helper';

jest.setTimeout(120_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface StoreUnderTest {
  store: LimitStore;
  /** moves the store's clock (the reconciler's ages are in it) */
  advance(ms: number): void;
}

/**
 * The quota counter reconciliation on real Postgres, against both stores: the Redis Lua store (cluster mode) and the
 * in-memory one (standalone). The gateway's side is played by calling the store the way AdmissionService does.
 */
function describeQuotaReconciliation(name: string, makeStore: () => Promise<StoreUnderTest>, cleanup: () => Promise<void>): void {
  describe(name, () => {
    let tdb: ThrowawayDatabase;
    let db: Database;
    let prisma: PrismaService;
    let consumer: UsageBillingConsumer;
    let s: StoreUnderTest;
    let reconciler: QuotaCounterReconciler;
    let seq = 0;
    const bus = { emit: () => undefined, request: async () => ({}) } as unknown as Bus;
    const queue = { consume: async () => undefined } as unknown as UsageQueue;

    beforeAll(async () => {
      Logger.overrideLogger(['fatal']); // drift is logged on purpose
      tdb = await createThrowawayDatabase();
      db = await openDatabase({ databaseUrl: tdb.url, dataDir: os.tmpdir(), migrate: true, seed: true });
      prisma = db.prisma;
    });
    beforeEach(async () => {
      s = await makeStore();
      reconciler = new QuotaCounterReconciler(new QuotaViewRepository(prisma), s.store, SETTINGS);
      // billing folds what it debited into the counters through the reconciler, as in the billing service
      consumer = new UsageBillingConsumer(new UsageLedgerRepository(prisma), bus, queue, SETTINGS, reconciler);
    });
    afterEach(async () => {
      await s.store.close();
      await cleanup();
    });
    afterAll(async () => {
      await db?.close();
      await tdb?.drop();
    });

    /** A user with a limited balance and a token with a limited quota; their counter names. */
    const account = async (balance: bigint, quota: bigint) => {
      const n = ++seq;
      const user = await prisma.user.create({ data: { name: `q-${n}-${Date.now()}`, balanceMicros: balance } });
      const token = await prisma.token.create({
        data: { name: `q-${n}`, userId: user.id, keyHash: `qc-${n}-${Date.now()}`.padEnd(64, '0'), keyPrefix: 'sk-q', quotaMicros: quota },
      });
      return { userId: user.id, tokenId: token.id, user: `user:${user.id}`, token: `token:${token.id}` };
    };
    type Acct = Awaited<ReturnType<typeof account>>;

    /** The gateway's admission: initial values are the DB's view as the gateway's token cache would hold it. */
    const admit = async (a: Acct, requestId: string, reserveMicros: number): Promise<Lease> => {
      const u = await prisma.user.findUniqueOrThrow({ where: { id: a.userId } });
      const t = await prisma.token.findUniqueOrThrow({ where: { id: a.tokenId } });
      const r = await s.store.acquire({
        requestId,
        scopes: [{ key: a.token }],
        estimatedTokens: 10,
        reserveMicros,
        quota: [
          { key: a.token, initialRemainingMicros: Number(t.quotaMicros! - t.usedQuotaMicros) },
          { key: a.user, initialRemainingMicros: Number(u.balanceMicros!) },
        ],
      });
      if (!r.ok) throw new Error(`refused: ${JSON.stringify(r)}`);
      return r.lease;
    };

    it("a budget's period counter keeps its value; its charges are forgotten once billed and given back when lost", async () => {
      const a = await account(100_000_000n, 50_000_000n);
      const budget = `budget:user:${a.userId}:day:2026-12-06:1000000`;
      const acquire = async (requestId: string) => {
        const r = await s.store.acquire({
          requestId,
          scopes: [{ key: a.token }],
          estimatedTokens: 1,
          reserveMicros: 10_000,
          quota: [{ key: budget, initialRemainingMicros: 1_000_000 }],
        });
        if (!r.ok) throw new Error(`refused: ${JSON.stringify(r)}`);
        return r.lease;
      };
      await s.store.settle(await acquire(`bud-billed-${name}`), { tokens: 1, costMicros: 4_000 });
      await s.store.settle(await acquire(`bud-lost-${name}`), { tokens: 1, costMicros: 6_000 });
      await consumer.bill([record(`bud-billed-${name}`, a.userId, a.tokenId, 4_000)]);
      await reconciler.reconcile();
      const [kept] = (await s.store.snapshotQuota([budget])).counters;
      expect(kept.remainingMicros).toBe(990_000);
      expect(Object.keys(kept.pending)).toEqual([`bud-lost-${name}`]);
      s.advance(UNCONFIRMED_SETTLED_MS + 1_000);
      await reconciler.reconcile();
      const [after] = (await s.store.snapshotQuota([budget])).counters;
      expect(after).toMatchObject({ remainingMicros: 996_000, pending: {} });
    });

    it('finds no drift while requests are admitted, settled and billed in every order around it', async () => {
      const a = await account(100_000_000n, 50_000_000n);
      const first = await admit(a, 'warm-0', 1_000);
      await s.store.settle(first, { tokens: 5, costMicros: 400 });
      await consumer.bill([record('warm-0', a.userId, a.tokenId, 400)]);

      let stop = false;
      const reports: Awaited<ReturnType<QuotaCounterReconciler['reconcile']>>[] = [];
      const reconciling = (async () => {
        while (!stop) {
          reports.push(await reconciler.reconcile());
          await sleep(3);
        }
      })();
      let next = 0;
      const worker = async () => {
        for (;;) {
          const i = next++;
          if (i >= 150) return;
          const id = `flow-${name}-${i}`;
          const reserve = 2_000 + (i % 7) * 100;
          const cost = i % 10 === 0 ? 0 : i % 5 === 0 ? reserve + 333 : 500 + i; // some free, some above the reservation
          const lease = await admit(a, id, reserve);
          await sleep(i % 4);
          if (i % 6 === 0) {
            // The record is billed before the gateway's settle lands.
            if (cost > 0) await consumer.bill([record(id, a.userId, a.tokenId, cost)]);
            await sleep(20); // long enough for reconciliations to see it billed and unsettled
            await s.store.settle(lease, { tokens: 15, costMicros: cost });
          } else if (i % 11 === 0) {
            await s.store.release(lease); // failed before any usage: nothing billed
          } else {
            if (cost > 0) await s.store.settle(lease, { tokens: 15, costMicros: cost });
            else await s.store.release(lease);
            await sleep(i % 3);
            if (cost > 0) await consumer.bill([record(id, a.userId, a.tokenId, cost)]);
          }
        }
      };
      await Promise.all(Array.from({ length: 8 }, worker));
      stop = true;
      await reconciling;

      expect(reports.length).toBeGreaterThan(3);
      expect(reports.flatMap((r) => r.drifts)).toEqual([]);
      expect(reports.every((r) => r.ran && r.corrected === 0)).toBe(true);
      // Quiet now: the counters equal the DB's view exactly and nothing is left pending.
      await reconciler.reconcile();
      const last = await reconciler.reconcile();
      expect(last.drifts).toEqual([]);
      const user = await prisma.user.findUniqueOrThrow({ where: { id: a.userId } });
      const token = await prisma.token.findUniqueOrThrow({ where: { id: a.tokenId } });
      const snap = await s.store.snapshotQuota([a.user, a.token]);
      expect(snap.counters.map((c) => c.remainingMicros)).toEqual([Number(user.balanceMicros), Number(token.quotaMicros! - token.usedQuotaMicros)]);
      expect(snap.counters.map((c) => c.pending)).toEqual([{}, {}]);
    });

    it("folds a debit's settled charges into one entry per counter, which the next run forgets", async () => {
      const a = await account(100_000_000n, 50_000_000n);
      const ids = [`fold-1-${name}`, `fold-2-${name}`, `fold-3-${name}`];
      for (const [i, id] of ids.entries()) await s.store.settle(await admit(a, id, 5_000), { tokens: 5, costMicros: 1_000 * (i + 1) });
      await consumer.bill(ids.map((id, i) => record(id, a.userId, a.tokenId, 1_000 * (i + 1))));
      const [token, user] = (await s.store.snapshotQuota([a.token, a.user])).counters;
      for (const c of [token, user]) {
        expect(Object.keys(c.pending)).toEqual([expect.stringMatching(/^#tx:\d+$/)]);
        expect(Object.values(c.pending)[0]).toMatchObject({ state: 'billed', micros: 6_000 });
      }
      const r = await reconciler.reconcile();
      expect(r.drifts).toEqual([]);
      const after = await s.store.snapshotQuota([a.token, a.user]);
      expect(after.counters.map((c) => [c.remainingMicros, c.pending])).toEqual([
        [50_000_000 - 6_000, {}],
        [100_000_000 - 6_000, {}],
      ]);
    });

    it('corrects a counter that drifted (e.g. initialised from a stale cache) and reports it in the metric', async () => {
      const a = await account(10_000_000n, 5_000_000n);
      const lease = await admit(a, 'stale-1', 1_000);
      // Billing debited 250 000 µ$ for requests this counter never saw (e.g. it was re-initialised from a stale view).
      await prisma.user.update({ where: { id: a.userId }, data: { balanceMicros: 10_000_000n - 250_000n } });
      const r = await reconciler.reconcile();
      expect(r.drifts).toEqual([{ account: a.user, counterMicros: 10_000_000 - 1_000, expectedMicros: 10_000_000 - 250_000 - 1_000 }]);
      expect(r.driftMicros.users).toBe(250_000);
      expect(r.corrected).toBe(1);
      const metrics = await processMetrics().registry.getSingleMetricAsString('switchboard_quota_counter_drift_micros');
      expect(metrics).toContain('switchboard_quota_counter_drift_micros{account="users"} 250000');
      expect(await s.store.getRemaining(a.user)).toBe(10_000_000 - 250_000 - 1_000);
      // The live lease still settles normally against the corrected counter.
      await s.store.settle(lease, { tokens: 1, costMicros: 600 });
      await consumer.bill([record('stale-1', a.userId, a.tokenId, 600)]);
      const again = await reconciler.reconcile();
      expect(again.drifts).toEqual([]);
      expect(await s.store.getRemaining(a.user)).toBe(10_000_000 - 250_000 - 600);
      expect(await s.store.getRemaining(a.token)).toBe(5_000_000 - 600);
    });

    it('gives back a reservation that can no longer settle and a settled cost the ledger never received', async () => {
      const a = await account(10_000_000n, 5_000_000n);
      await admit(a, 'crashed-1', 7_000); // the gateway died: never settled
      const lost = await admit(a, 'lost-1', 3_000);
      await s.store.settle(lost, { tokens: 1, costMicros: 2_000 }); // its usage record never reached billing
      expect((await reconciler.reconcile()).drifts).toEqual([]); // young: still pending, not drift
      expect(await s.store.getRemaining(a.user)).toBe(10_000_000 - 7_000 - 2_000);

      s.advance(UNCONFIRMED_SETTLED_MS + 1_000);
      const r1 = await reconciler.reconcile();
      expect(r1.reaped).toEqual({ reserved: 0, settled: 2 }); // one per account
      expect(await s.store.getRemaining(a.user)).toBe(10_000_000 - 7_000);

      s.advance(24 * 3_600_000 - 60_000); // the reservation is now over 24 h old, its counter still alive
      const r2 = await reconciler.reconcile();
      expect(r2.reaped).toEqual({ reserved: 2, settled: 0 });
      expect(r2.drifts).toEqual([]);
      expect(await s.store.getRemaining(a.user)).toBe(10_000_000);
      expect(await s.store.getRemaining(a.token)).toBe(5_000_000);

      // The "lost" record turns up after all: the next run takes the money again.
      await consumer.bill([record('lost-1', a.userId, a.tokenId, 2_000)]);
      const r3 = await reconciler.reconcile();
      expect(r3.drifts.map((d) => d.account).sort()).toEqual([a.token, a.user].sort());
      expect(await s.store.getRemaining(a.user)).toBe(10_000_000 - 2_000);
      expect((await reconciler.reconcile()).drifts).toEqual([]);
    });

    it('skips while another billing replica reconciles; a counter set by hand is then put back to the ledger', async () => {
      const a = await account(1_000_000n, 1_000_000n);
      const lease = await admit(a, 'epoch-1', 100);
      await s.store.setRemaining(a.user, 5); // wrong on purpose; a new life of the counter (the reservation is not in it)
      // Another billing replica holds the lock: nothing is checked or changed.
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      let locked!: () => void;
      const isLocked = new Promise<void>((r) => (locked = r));
      const other = prisma.$transaction(
        async (tx) => {
          await tx.$executeRaw`SELECT pg_advisory_xact_lock(${0x5b_0c_0a_71})`;
          locked();
          await held;
        },
        { timeout: 30_000 },
      );
      await isLocked;
      const skipped = await reconciler.reconcile();
      release();
      await other;
      expect(skipped).toMatchObject({ ran: false, checked: 0, drifts: [] });
      expect(await s.store.getRemaining(a.user)).toBe(5);
      const fixed = await reconciler.reconcile();
      expect(fixed.drifts).toEqual([{ account: a.user, counterMicros: 5, expectedMicros: 1_000_000 }]);
      expect(await s.store.getRemaining(a.user)).toBe(1_000_000);
      // The request admitted before the reset settles into the new life at its full cost, then is billed: consistent.
      await s.store.settle(lease, { tokens: 3, costMicros: 80 });
      expect(await s.store.getRemaining(a.user)).toBe(1_000_000 - 80);
      await consumer.bill([record('epoch-1', a.userId, a.tokenId, 80)]);
      expect((await reconciler.reconcile()).drifts).toEqual([]);
      expect(await s.store.getRemaining(a.token)).toBe(1_000_000 - 80);
    });
  });
}

describePostgres('quota counter reconciliation against the ledger', () => {
  describeWithRedis('with the Redis store (cluster mode)', () => {
    let redis: Redis;
    let prefix: string;
    let clock = Date.now();
    beforeAll(() => {
      redis = connect();
    });
    afterAll(async () => {
      await redis.quit();
    });
    describeQuotaReconciliation(
      'RedisLimitStore',
      async () => {
        prefix = uniquePrefix();
        clock = Date.now();
        return { store: new RedisLimitStore(redis, { keyPrefix: prefix, now: () => clock }), advance: (ms) => void (clock += ms) };
      },
      () => deletePrefix(redis, prefix),
    );
  });

  let clock = Date.now();
  describeQuotaReconciliation(
    'MemoryLimitStore',
    async () => {
      clock = Date.now();
      return { store: new MemoryLimitStore({ now: () => clock }), advance: (ms) => void (clock += ms) };
    },
    async () => undefined,
  );
});
