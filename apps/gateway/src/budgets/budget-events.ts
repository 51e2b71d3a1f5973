import { Injectable, Logger } from '@nestjs/common';
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
