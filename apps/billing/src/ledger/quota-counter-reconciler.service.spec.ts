import { Logger } from '@nestjs/common';
import { MemoryLimitStore } from '@switchboard/limits';
import type { BillingSettings } from '../config/billing.settings';
import { QuotaCounterReconciler } from './quota-counter-reconciler.service';
import type { AccountKind, QuotaSnapshot, QuotaViews } from './quota-view.repository';

const SETTINGS: BillingSettings = {
  lowBalanceThresholdMicros: 1_000_000n,
  reconcileIntervalMs: 600_000,
  quotaReconcileIntervalMs: 600_000,
  quotaReconcileAfterCharges: 0,
};

/** The database's view in memory: what each account has left, which requests the ledger billed, in which transactions. */
class InMemoryQuotaViews implements QuotaViews {
  locked = false;
  readonly remaining = new Map<string, number>();
  readonly billed = new Map<string, number>();
  readonly committed = new Set<string>();
  readonly steps: string[] = [];
  /** the request ids the ledger was asked about */
  readonly asked: string[] = [];
  /** runs right after the snapshot's view was read (before the counters are) */
  afterView?: () => Promise<void>;

  inSnapshot<T>(fn: (s: QuotaSnapshot) => Promise<T>): Promise<T> {
    const views = { kinds: (kind: AccountKind, ids: number[]) => ids.filter((id) => this.remaining.has(`${kind}:${id}`)) };
    const snapshot = new Set(this.committed); // what commits later is not in it
    return fn({
      tryLock: () => {
        this.steps.push('lock');
        return Promise.resolve(!this.locked);
      },
      remaining: async (userIds, tokenIds) => {
        this.steps.push('remaining');
        const rows = (['user', 'token'] as const).flatMap((kind) =>
          views.kinds(kind, kind === 'user' ? userIds : tokenIds).map((id) => ({ kind, id, remainingMicros: this.remaining.get(`${kind}:${id}`)! })),
        );
        await this.afterView?.();
        return rows;
      },
      committed: (txids) => {
        this.steps.push('committed');
        return Promise.resolve(new Set(txids.filter((t) => snapshot.has(t))));
      },
      billedCosts: (ids) => {
        this.steps.push('billed');
        this.asked.push(...ids);
        return Promise.resolve(new Map(ids.filter((id) => this.billed.has(id)).map((id) => [id, this.billed.get(id)!])));
      },
    });
  }
}

describe('QuotaCounterReconciler', () => {
  let views: InMemoryQuotaViews;
  let store: MemoryLimitStore;
  let reconciler: QuotaCounterReconciler;

  /** A request admitted on the token's counter (from 1 000 µ$) and the user's (from 5 000 µ$). */
  const admitBoth = async (requestId: string, reserveMicros: number) => {
    const r = await store.acquire({
      requestId,
      scopes: [{ key: 'token:1' }],
      estimatedTokens: 1,
      reserveMicros,
      quota: [
        { key: 'token:1', initialRemainingMicros: 1_000 },
        { key: 'user:2', initialRemainingMicros: 5_000 },
      ],
    });
    if (!r.ok) throw new Error('refused');
    return r.lease;
  };

  beforeAll(() => Logger.overrideLogger(['fatal'])); // drift is logged on purpose
  beforeEach(async () => {
    views = new InMemoryQuotaViews();
    store = new MemoryLimitStore();
    reconciler = new QuotaCounterReconciler(views, store, SETTINGS);
    // The gateway initialised the token's counter at 1 000 µ$ and the user's at 5 000 µ$, then admitted nothing.
    await store.release(await admitBoth('r-1', 0));
  });
  afterEach(() => store.close());

  it('corrects a counter to the database view, reading the view before the counters', async () => {
    views.remaining.set('token:1', 600); // 400 µ$ billed elsewhere since the gateway read it
    views.remaining.set('user:2', 5_000);
    const r = await reconciler.check();
    expect(views.steps).toEqual(['lock', 'remaining', 'billed', 'committed']);
    expect(r).toMatchObject({ ran: true, checked: 2, corrected: 1, drifts: [{ account: 'token:1', counterMicros: 1_000, expectedMicros: 600 }] });
    expect(r.driftMicros).toEqual({ tokens: 400, users: 0 });
    expect((await reconciler.check()).drifts).toEqual([]);
  });

  it('checks nothing and says so while another replica holds the lock', async () => {
    views.locked = true;
    views.remaining.set('token:1', 600);
    const r = await reconciler.check();
    expect(r).toMatchObject({ ran: false, checked: 0, drifts: [] });
    expect(views.steps).toEqual(['lock']);
  });

  it('leaves unlimited accounts (absent from the view) alone', async () => {
    views.remaining.set('user:2', 5_000);
    expect(await reconciler.check()).toMatchObject({ ran: true, checked: 1, drifts: [] });
  });

  describe('what billing folded after its debit commits', () => {
    const both = ['token:1', 'user:2'];
    const pendingOf = async (account: string) => (await store.snapshotQuota([account])).counters[0].pending;
    /** Admitted on both counters and settled at `cost`; `settle: false` leaves it reserved. */
    const served = async (requestId: string, cost: number, settle = true) => {
      const lease = await admitBoth(requestId, 100);
      if (settle) await store.settle(lease, { tokens: 1, costMicros: cost });
      return { requestId, accounts: both, costMicros: cost };
    };

    it('holds one entry per counter for a debit transaction, forgotten by the first run whose snapshot sees it', async () => {
      const charges = [await served('a', 10), await served('b', 20), await served('c', 30)];
      views.committed.add('7');
      views.remaining.set('token:1', 1_000 - 60);
      views.remaining.set('user:2', 5_000 - 60);
      await reconciler.billed('7', charges);
      expect(await pendingOf('token:1')).toEqual({ '#tx:7': { state: 'billed', micros: 60, sinceMs: expect.any(Number) } });
      expect(Object.keys(await pendingOf('user:2'))).toEqual(['#tx:7']);
      const r = await reconciler.check();
      expect(views.asked).toEqual([]); // no request left to look up in the ledger
      expect(r).toMatchObject({ ran: true, checked: 2, drifts: [] });
      expect(await pendingOf('token:1')).toEqual({});
      expect(await pendingOf('user:2')).toEqual({});
      expect(await store.getRemaining('token:1')).toBe(940);
    });

    it('still subtracts a fold that lands between the snapshot and the counters read', async () => {
      const a = await served('a', 40);
      views.remaining.set('token:1', 1_000); // the snapshot's view: the debit of 'a' is not in it
      views.remaining.set('user:2', 5_000);
      views.afterView = async () => {
        views.committed.add('8'); // billing commits now, after the snapshot was fixed, and folds before the counters are read
        await reconciler.billed('8', [a]);
      };
      const r = await reconciler.check();
      expect(r.drifts).toEqual([]);
      expect(Object.keys(await pendingOf('token:1'))).toEqual(['#tx:8']);
      views.afterView = undefined;
      views.remaining.set('token:1', 960);
      views.remaining.set('user:2', 4_960);
      expect((await reconciler.check()).drifts).toEqual([]);
      expect(await pendingOf('token:1')).toEqual({});
      expect(await store.getRemaining('user:2')).toBe(4_960);
    });

    it('counts the requests it could not fold toward an early run, and never throws', async () => {
      const noted: number[] = [];
      jest.spyOn(reconciler, 'noteBilled').mockImplementation((n) => void noted.push(n));
      const settled = await served('s', 10);
      const reserved = await served('r', 10, false); // billed before its lease settled: left for the ledger lookup
      await reconciler.billed('9', [settled, reserved]);
      expect(Object.keys(await pendingOf('token:1')).sort()).toEqual(['#tx:9', 'r']);
      jest.spyOn(store, 'confirmBilled').mockRejectedValue(new Error('store unreachable'));
      const warned = jest.spyOn(Logger.prototype, 'warn');
      await expect(reconciler.billed('10', [await served('t', 10)])).resolves.toBeUndefined();
      await reconciler.billed('11', []);
      expect(warned.mock.calls.filter(([m]) => String(m).includes('not folded'))).toHaveLength(1); // throttled, not once per batch
      warned.mockRestore();
      expect(noted).toEqual([1, 1, 0]);
      expect(Object.keys(await pendingOf('token:1')).sort()).toEqual(['#tx:9', 'r', 't']);
    });
  });

  describe('runs early once billing has debited enough requests', () => {
    const pendingOf = async (account: string) => Object.keys((await store.snapshotQuota([account])).counters[0].pending);
    const served = async (requestId: string) => {
      const r = await store.acquire({
        requestId,
        scopes: [{ key: 'token:1' }],
        estimatedTokens: 1,
        reserveMicros: 50,
        quota: [{ key: 'token:1', initialRemainingMicros: 1_000 }],
      });
      if (!r.ok) throw new Error('refused');
      await store.settle(r.lease, { tokens: 1, costMicros: 10 });
      views.billed.set(requestId, 10);
    };
    const ranSince = (n: number) => views.steps.slice(n).includes('lock');

    beforeEach(() => {
      reconciler = new QuotaCounterReconciler(views, store, { ...SETTINGS, quotaReconcileAfterCharges: 3 });
      views.remaining.set('token:1', 1_000);
    });

    it('forgets billed charges at the threshold, without waiting for the interval', async () => {
      for (const id of ['a', 'b', 'c']) await served(id);
      const runs = jest.spyOn(reconciler, 'reconcile');
      reconciler.noteBilled(2);
      expect(runs).not.toHaveBeenCalled();
      expect(await pendingOf('token:1')).toEqual(['a', 'b', 'c']);
      reconciler.noteBilled(1);
      expect(runs).toHaveBeenCalledTimes(1);
      await runs.mock.results[0].value;
      expect(ranSince(0)).toBe(true);
      expect(await pendingOf('token:1')).toEqual([]);
    });

    it('leaves at least 5 s between runs it starts, and counts from the start of the last run', async () => {
      await reconciler.reconcile();
      const runs = jest.spyOn(reconciler, 'reconcile');
      reconciler.noteBilled(10);
      expect(runs).not.toHaveBeenCalled();
      jest.useFakeTimers({ now: Date.now() + 5_001, doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
      try {
        reconciler.noteBilled(1); // the 10 above still count
        expect(runs).toHaveBeenCalledTimes(1);
        await runs.mock.results[0].value;
        reconciler.noteBilled(2); // the run just started counts afresh: 2 < 3
        expect(runs).toHaveBeenCalledTimes(1);
      } finally {
        jest.useRealTimers();
      }
    });

    it('never runs early with the threshold at 0', async () => {
      reconciler = new QuotaCounterReconciler(views, store, { ...SETTINGS, quotaReconcileAfterCharges: 0 });
      const runs = jest.spyOn(reconciler, 'reconcile');
      reconciler.noteBilled(1_000_000);
      expect(runs).not.toHaveBeenCalled();
    });
  });
});
