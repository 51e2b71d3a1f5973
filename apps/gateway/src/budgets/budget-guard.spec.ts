import { DomainError, type PriceEntry } from '@switchboard/contracts';
import { MemoryLimitStore } from '@switchboard/limits';
import { AdmissionService } from '../admission/admission.service';
import { token } from '../auth/verified-token.fixture';
import { BudgetGuard } from './budget-guard';
import type { BudgetEvents, BudgetReached } from './budget-events';

/** $0.01 a request whatever the tokens. */
const PRICE = { input: 0, output: 0, perRequest: 0.01 } as unknown as PriceEntry;
const at = (iso: string) => Date.parse(iso);

describe('budgets at admission (controlled clock)', () => {
  let now: number;
  let events: BudgetReached[];
  let admission: AdmissionService;
  let store: MemoryLimitStore;

  beforeEach(() => {
    now = at('2026-12-31T23:00:00.000Z');
    events = [];
    store = new MemoryLimitStore();
    const sink: BudgetEvents = { reached: (e) => void events.push(e) };
    const clock = {
      get BUDGET_CLOCK_OFFSET_MS() {
        return now - Date.now();
      },
    };
    admission = new AdmissionService(store, new BudgetGuard(store, sink, clock));
  });
  afterEach(() => store.close());

  const budgeted = (spentMicros = 0) =>
    token(
      {},
      {
        budget: { amountMicros: 30_000, period: 'day', softLimitMicros: 20_000, periodStartMs: at('2026-12-31T00:00:00.000Z'), spentMicros },
      },
    );
  let seq = 0;
  const spend = async (t = budgeted()) => {
    const a = await admission.admit(`r-${++seq}`, t, PRICE, 1, 1);
    await admission.settle(a.lease, 2, 10_000, a.budgets);
  };
  const refusal = async (t = budgeted()): Promise<DomainError> => {
    try {
      await admission.admit(`r-${++seq}`, t, PRICE, 1, 1);
    } catch (e) {
      return e as DomainError;
    }
    throw new Error('admitted');
  };

  it('admits up to the amount, then refuses with the quota error naming the budget and its reset; the next day admits again', async () => {
    for (let i = 0; i < 3; i++) await spend();
    const e = await refusal();
    expect(e).toMatchObject({ code: 'insufficient_quota', status: 429 });
    expect(e.message).toBe('You exceeded your current quota: the daily budget of $0.03 for user 3 is spent; it resets at 2027-01-01T00:00:00.000Z.');
    now = at('2026-12-31T23:59:59.999Z');
    await refusal();
    now = at('2027-01-01T00:00:00.000Z');
    await spend();
  });

  it("seeds the period with the ledger's spend, but not a spend read in the period before", async () => {
    await spend(budgeted(20_000));
    await refusal(budgeted(20_000));
    now = at('2027-01-01T00:00:01.000Z');
    for (let i = 0; i < 3; i++) await spend(budgeted(20_000));
  });

  it('raises budget_reached once per period, when the spend reaches the soft limit', async () => {
    await spend();
    expect(events).toEqual([]);
    await spend();
    expect(events).toEqual([
      {
        scope: 'user',
        id: '3',
        amount: 0.03,
        softLimit: 0.02,
        spent: 0.02,
        period: 'day',
        periodStart: '2026-12-31T00:00:00.000Z',
        resetsAt: '2027-01-01T00:00:00.000Z',
      },
    ]);
    await spend();
    expect(events).toHaveLength(1);
    now = at('2027-01-01T12:00:00.000Z');
    await spend();
    await spend();
    expect(events.map((e) => e.periodStart)).toEqual(['2026-12-31T00:00:00.000Z', '2027-01-01T00:00:00.000Z']);
  });

  it('a key without budgets reserves on no budget account', async () => {
    const a = await admission.admit('plain', token(), PRICE, 1, 1);
    expect(a.budgets).toBeUndefined();
    expect(a.lease.quota).toEqual([]);
  });
});
