import { Injectable, Logger } from '@nestjs/common';
import { Subjects, type AlertEventInput } from '@switchboard/contracts';
import { Bus } from '@switchboard/messaging';
import { processMetrics } from '@switchboard/observability';

/** A budget's period crossed its soft limit (USD). */
export interface BudgetReached {
  scope: 'user' | 'token' | 'group';
  id: string;
  /** the budget, USD per period */
  amount: number;
  softLimit: number;
  /** spent in the period when it was noticed (settled and in-flight reservations), USD */
  spent: number;
  period: 'day' | 'week' | 'month';
  periodStart: string;
  resetsAt: string;
}

/** Where budget events go: the `budget_reached` alert (alert delivery). Raised once per budget and period. */
export const BUDGET_EVENTS = Symbol('BUDGET_EVENTS');
export interface BudgetEvents {
  reached(e: BudgetReached): void;
}

/** The events as a warning line and `switchboard_budget_events_total{scope,kind="reached"}`. */
@Injectable()
export class LoggedBudgetEvents implements BudgetEvents {
  private readonly logger = new Logger('BudgetEvents');
  private readonly metrics = processMetrics();

  reached(e: BudgetReached): void {
    this.metrics.budgetEvents.inc({ scope: e.scope, kind: 'reached' });
    this.logger.warn(
      `budget_reached: ${e.scope} ${e.id} spent $${e.spent} of its $${e.amount} ${e.period} budget (soft limit $${e.softLimit}); resets ${e.resetsAt}`,
    );
  }
}

const PERIOD_WORD = { day: 'daily', week: 'weekly', month: 'monthly' } as const;

/** A budget event as the `budget_reached` alert (libs/contracts alerts: BudgetReachedDetails). */
export function budgetReachedAlert(e: BudgetReached, now = new Date()): AlertEventInput {
  return {
    event: 'budget_reached',
    subject: `${e.scope}:${e.id}`,
    severity: 'warning',
    summary: `The ${PERIOD_WORD[e.period]} budget of ${e.scope} ${e.id} passed its soft limit: $${e.spent.toFixed(2)} of $${e.amount.toFixed(2)} spent (soft limit $${e.softLimit.toFixed(2)}); it resets ${e.resetsAt}`,
    details: {
      scope: e.scope,
      id: /^\d+$/.test(e.id) ? Number(e.id) : e.id,
      amountUsd: e.amount,
      spentUsd: e.spent,
      softLimitUsd: e.softLimit,
      period: e.period,
      periodStart: e.periodStart,
      resetsAt: e.resetsAt,
    },
    occurredAt: now.toISOString(),
  };
}

/** The events logged and counted as above, and raised as `budget_reached` alerts for the alert channels (router). */
@Injectable()
export class AlertingBudgetEvents extends LoggedBudgetEvents {
  constructor(private readonly bus: Bus) {
    super();
  }

  override reached(e: BudgetReached): void {
    super.reached(e);
    this.bus.emit(Subjects.AlertRaised, budgetReachedAlert(e));
  }
}
