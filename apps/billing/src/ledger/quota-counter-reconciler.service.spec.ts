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

/** The database's view in memory: what each account has left and which requests the ledger billed. */
class InMemoryQuotaViews implements QuotaViews {
  locked = false;
  readonly remaining = new Map<string, number>();
  readonly billed = new Map<string, number>();
  readonly steps: string[] = [];

  inSnapshot<T>(fn: (s: QuotaSnapshot) => Promise<T>): Promise<T> {
    const views = { kinds: (kind: AccountKind, ids: number[]) => ids.filter((id) => this.remaining.has(`${kind}:${id}`)) };
    return fn({
      tryLock: () => {
        this.steps.push('lock');
        return Promise.resolve(!this.locked);
      },
      remaining: (userIds, tokenIds) => {
        this.steps.push('remaining');
        return Promise.resolve(
          (['user', 'token'] as const).flatMap((kind) =>
            views.kinds(kind, kind === 'user' ? userIds : tokenIds).map((id) => ({ kind, id, remainingMicros: this.remaining.get(`${kind}:${id}`)! })),
          ),
        );
      },
      billedCosts: (ids) => {
        this.steps.push('billed');
        return Promise.resolve(new Map(ids.filter((id) => this.billed.has(id)).map((id) => [id, this.billed.get(id)!])));
      },
    });
  }
}

describe('QuotaCounterReconciler', () => {
  let views: InMemoryQuotaViews;
  let store: MemoryLimitStore;
  let reconciler: QuotaCounterReconciler;

  beforeAll(() => Logger.overrideLogger(['fatal'])); // drift is logged on purpose
  beforeEach(async () => {
    views = new InMemoryQuotaViews();
    store = new MemoryLimitStore();
    reconciler = new QuotaCounterReconciler(views, store, SETTINGS);
    // The gateway initialised the token's counter at 1 000 µ$ and the user's at 5 000 µ$, then admitted nothing.
    const r = await store.acquire({
      requestId: 'r-1',
      scopes: [{ key: 'token:1' }],
      estimatedTokens: 1,
      reserveMicros: 0,
      quota: [
        { key: 'token:1', initialRemainingMicros: 1_000 },
        { key: 'user:2', initialRemainingMicros: 5_000 },
      ],
    });
    if (!r.ok) throw new Error('refused');
    await store.release(r.lease);
  });
  afterEach(() => store.close());

  it('corrects a counter to the database view, reading the view before the counters', async () => {
    views.remaining.set('token:1', 600); // 400 µ$ billed elsewhere since the gateway read it
    views.remaining.set('user:2', 5_000);
    const r = await reconciler.check();
    expect(views.steps).toEqual(['lock', 'remaining', 'billed']);
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
