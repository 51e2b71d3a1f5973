import { budgetAccount, type BudgetState } from './budget-accounts';
import { budgetWindow } from './budget-period';

const at = (iso: string) => Date.parse(iso);
const window = (period: 'day' | 'week' | 'month', now: string) => {
  const w = budgetWindow(period, at(now));
  return [new Date(w.startMs).toISOString(), new Date(w.resetMs).toISOString()];
};

describe('budget periods (UTC)', () => {
  it('a day runs from 00:00 to the next 00:00 UTC, its last millisecond included', () => {
    expect(window('day', '2026-12-06T00:00:00.000Z')).toEqual(['2026-12-06T00:00:00.000Z', '2026-12-07T00:00:00.000Z']);
    expect(window('day', '2026-12-06T23:59:59.999Z')).toEqual(['2026-12-06T00:00:00.000Z', '2026-12-07T00:00:00.000Z']);
    expect(window('day', '2026-12-31T12:00:00.000Z')).toEqual(['2026-12-31T00:00:00.000Z', '2027-01-01T00:00:00.000Z']);
  });

  it('a week is the ISO week: Monday 00:00 UTC to the next Monday', () => {
    // 2026-12-07 is a Monday; Sunday the 13th still belongs to its week, Monday the 14th starts the next one.
    expect(window('week', '2026-12-07T00:00:00.000Z')).toEqual(['2026-12-07T00:00:00.000Z', '2026-12-14T00:00:00.000Z']);
    expect(window('week', '2026-12-09T15:30:00.000Z')).toEqual(['2026-12-07T00:00:00.000Z', '2026-12-14T00:00:00.000Z']);
    expect(window('week', '2026-12-13T23:59:59.999Z')).toEqual(['2026-12-07T00:00:00.000Z', '2026-12-14T00:00:00.000Z']);
    expect(window('week', '2026-12-14T00:00:00.000Z')).toEqual(['2026-12-14T00:00:00.000Z', '2026-12-21T00:00:00.000Z']);
    // across the year: Thursday 2026-12-31 is in the week of Monday 2026-12-28
    expect(window('week', '2027-01-01T08:00:00.000Z')).toEqual(['2026-12-28T00:00:00.000Z', '2027-01-04T00:00:00.000Z']);
  });

  it('a month is the calendar month, December rolling over into January and February as long as the year makes it', () => {
    expect(window('month', '2026-12-31T23:59:59.999Z')).toEqual(['2026-12-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z']);
    expect(window('month', '2027-01-01T00:00:00.000Z')).toEqual(['2027-01-01T00:00:00.000Z', '2027-02-01T00:00:00.000Z']);
    expect(window('month', '2028-02-29T10:00:00.000Z')).toEqual(['2028-02-01T00:00:00.000Z', '2028-03-01T00:00:00.000Z']);
    expect(window('month', '2027-02-28T23:59:59.999Z')).toEqual(['2027-02-01T00:00:00.000Z', '2027-03-01T00:00:00.000Z']);
    expect(window('day', '2028-02-29T10:00:00.000Z')).toEqual(['2028-02-29T00:00:00.000Z', '2028-03-01T00:00:00.000Z']);
  });
});

describe('budget accounts', () => {
  const budget = (over: Partial<BudgetState> = {}): BudgetState => ({
    amountMicros: 5_000_000,
    period: 'day',
    softLimitMicros: null,
    periodStartMs: at('2026-12-06T00:00:00.000Z'),
    spentMicros: 1_200_000,
    ...over,
  });

  it("is seeded with the amount less the ledger's spend of the same period", () => {
    const { account, quota } = budgetAccount('user', 3, budget(), at('2026-12-06T18:00:00.000Z'));
    expect(quota).toEqual({ key: 'budget:user:3:day:2026-12-06:5000000', initialRemainingMicros: 3_800_000 });
    expect(account).toMatchObject({ scope: 'user', id: '3', account: quota.key, resetMs: at('2026-12-07T00:00:00.000Z') });
  });

  it('resets: the next period is another account, seeded with the whole amount (the spend read was of the last period)', () => {
    const next = budgetAccount('user', 3, budget(), at('2026-12-07T00:00:00.000Z')).quota;
    expect(next).toEqual({ key: 'budget:user:3:day:2026-12-07:5000000', initialRemainingMicros: 5_000_000 });
  });

  it('a changed amount or period is a new account; a spend beyond the amount seeds 0', () => {
    const now = at('2026-12-06T18:00:00.000Z');
    expect(budgetAccount('group', 'gold', budget({ amountMicros: 1_000_000 }), now).quota).toEqual({
      key: 'budget:group:gold:day:2026-12-06:1000000',
      initialRemainingMicros: 0,
    });
    expect(budgetAccount('token', 9, budget({ period: 'month', periodStartMs: at('2026-12-01T00:00:00.000Z') }), now).quota.key).toBe(
      'budget:token:9:month:2026-12-01:5000000',
    );
  });
});
