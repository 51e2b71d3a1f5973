import { Logger } from '@nestjs/common';
import { MemoryLimitStore } from '@switchboard/limits';
import type { BillingSettings } from '../config/billing.settings';
import { QuotaCounterReconciler } from './quota-counter-reconciler.service';
import type { AccountKind, QuotaSnapshot, QuotaViews } from './quota-view.repository';

const SETTINGS: BillingSettings = { lowBalanceThresholdMicros: 1_000_000n, reconcileIntervalMs: 600_000, quotaReconcileIntervalMs: 600_000 };

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
});
