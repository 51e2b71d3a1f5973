import { AlertEvent, BudgetReachedDetails, Subjects } from '@switchboard/contracts';
import type { Bus } from '@switchboard/messaging';
import { AlertingBudgetEvents, budgetReachedAlert, type BudgetReached } from './budget-events';

const reached: BudgetReached = {
  scope: 'group',
  id: 'capped',
  amount: 5,
  softLimit: 4,
  spent: 4.01,
  period: 'week',
  periodStart: '2026-11-30T00:00:00.000Z',
  resetsAt: '2026-12-07T00:00:00.000Z',
};

describe('budget events', () => {
  it('become a budget_reached alert the alert contract accepts, named by scope and id', () => {
    const alert = AlertEvent.parse(budgetReachedAlert(reached, new Date('2026-12-06T10:00:00Z')));
    expect(alert).toMatchObject({ event: 'budget_reached', subject: 'group:capped', severity: 'warning', occurredAt: '2026-12-06T10:00:00.000Z' });
    expect(alert.summary).toBe(
      'The weekly budget of group capped passed its soft limit: $4.01 of $5.00 spent (soft limit $4.00); it resets 2026-12-07T00:00:00.000Z',
    );
    expect(BudgetReachedDetails.parse(alert.details)).toMatchObject({ scope: 'group', id: 'capped', amountUsd: 5, spentUsd: 4.01, softLimitUsd: 4 });
    expect(budgetReachedAlert({ ...reached, scope: 'user', id: '17' }).details).toMatchObject({ id: 17 });
  });

  it('are published on the alerts subject for the router to deliver', () => {
    const emit = jest.fn();
    new AlertingBudgetEvents({ emit } as unknown as Bus).reached(reached);
    expect(emit).toHaveBeenCalledWith(Subjects.AlertRaised, expect.objectContaining({ event: 'budget_reached', subject: 'group:capped' }));
  });
});
