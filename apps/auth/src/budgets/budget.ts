import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@switchboard/config';
import type { VerifiedBudget } from '@switchboard/contracts';
import { microsToUsd, usdToMicros } from '@switchboard/db';
import { budgetWindow, type BudgetPeriod } from '@switchboard/limits';
import { BudgetSpendRepository, type BudgetScope, type BudgetSpends } from './budget-spend.repository';

const RECENT_SPEND_MS = 2_000;

/** The `budget` column of users, tokens and groups: the admin API's shape, in USD. */
export interface StoredBudget {
  amount: number;
  period: BudgetPeriod;
  softLimit: number | null;
}

/** The column as written by the admin API; anything else reads as "no budget". */
export function storedBudget(column: unknown): StoredBudget | null {
  if (!column || typeof column !== 'object') return null;
  const b = column as Record<string, unknown>;
  if (typeof b.amount !== 'number' || !['day', 'week', 'month'].includes(b.period as string)) return null;
  return { amount: b.amount, period: b.period as BudgetPeriod, softLimit: typeof b.softLimit === 'number' ? b.softLimit : null };
}

/** A budget in the admin views: the configuration, its current period and what the ledger holds spent in it. */
export interface BudgetView extends StoredBudget {
  spent: number;
  periodStart: string;
  resetsAt: string;
}

/**
 * Budgets of users, tokens and groups with their current period's spend: for key verification (the gateway seeds
 * its period counters with it) and for the admin views. The clock is shifted by BUDGET_CLOCK_OFFSET_MS (a test hook).
 */
@Injectable()
export class Budgets {
  /**
   * A group's spend sums every key of the group, and each of its keys is verified again every minute on every
   * replica: one sum per group and period serves the verifications of two seconds (a seed that much staler, like the
   * usage still on its way to the ledger). Users and tokens are summed per verification.
   */
  private readonly recent = new Map<string, { at: number; spent: Promise<number> }>();

  constructor(
    @Inject(BudgetSpendRepository) private readonly spends: BudgetSpends,
    @Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'BUDGET_CLOCK_OFFSET_MS'>,
  ) {}

  now(): number {
    return Date.now() + this.config.BUDGET_CLOCK_OFFSET_MS;
  }

  async verified(scope: BudgetScope, id: number | string, column: unknown): Promise<VerifiedBudget | null> {
    const b = storedBudget(column);
    if (!b) return null;
    const { startMs } = budgetWindow(b.period, this.now());
    return {
      amountMicros: Number(usdToMicros(b.amount)),
      period: b.period,
      softLimitMicros: b.softLimit === null ? null : Number(usdToMicros(b.softLimit)),
      periodStartMs: startMs,
      spentMicros: await this.recentSpend(scope, id, startMs),
    };
  }

  private recentSpend(scope: BudgetScope, id: number | string, startMs: number): Promise<number> {
    if (scope !== 'group') return this.spends.spentMicros(scope, id, new Date(startMs));
    const key = `${scope}:${id}:${startMs}`;
    const now = Date.now();
    const hit = this.recent.get(key);
    if (hit && now - hit.at < RECENT_SPEND_MS) return hit.spent;
    if (this.recent.size >= 10_000) this.recent.clear();
    const spent = this.spends.spentMicros(scope, id, new Date(startMs));
    this.recent.set(key, { at: now, spent });
    spent.catch(() => this.recent.delete(key));
    return spent;
  }

  async view(scope: BudgetScope, id: number | string, column: unknown): Promise<BudgetView | null> {
    const b = storedBudget(column);
    if (!b) return null;
    const { startMs, resetMs } = budgetWindow(b.period, this.now());
    const spent = await this.spends.spentMicros(scope, id, new Date(startMs));
    return { ...b, spent: microsToUsd(BigInt(spent)), periodStart: new Date(startMs).toISOString(), resetsAt: new Date(resetMs).toISOString() };
  }
}
