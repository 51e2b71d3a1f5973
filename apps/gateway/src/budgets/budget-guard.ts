import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@switchboard/config';
import { DomainError, type VerifiedBudget, type VerifiedToken } from '@switchboard/contracts';
import { LIMIT_STORE, budgetAccount, type BudgetAccount, type LimitStore, type QuotaAccount, type SettleResult } from '@switchboard/limits';
import { processMetrics } from '@switchboard/observability';
import { BUDGET_EVENTS, type BudgetEvents } from './budget-events';

const usd = (micros: number) => Math.round(micros) / 1e6;
const PER = { day: 'daily', week: 'weekly', month: 'monthly' } as const;

/**
 * Budgets (SPEC §8): a spend cap per user, token and group and period, held as one more quota account per budget in
 * the admission's atomic store call (see budgetAccount for the key and its seed). A spent budget refuses with the
 * quota error; crossing the soft limit raises `budget_reached` once per period across every replica (markOnce).
 */
@Injectable()
export class BudgetGuard {
  private readonly logger = new Logger(BudgetGuard.name);
  private readonly metrics = processMetrics();
  /** Accounts whose soft limit this process already saw raised: no store call for every later request. */
  private readonly raised = new Set<string>();

  constructor(
    @Inject(LIMIT_STORE) private readonly store: LimitStore,
    @Inject(BUDGET_EVENTS) private readonly events: BudgetEvents,
    @Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'BUDGET_CLOCK_OFFSET_MS'>,
  ) {}

  now(): number {
    return Date.now() + this.config.BUDGET_CLOCK_OFFSET_MS;
  }

  /** The budgets that apply to a request: none costs nothing beyond three null checks. */
  accounts(token: VerifiedToken): { budgets: BudgetAccount[]; quota: QuotaAccount[] } | null {
    if (!token.budget && !token.user.budget && !token.group.budget) return null;
    const now = this.now();
    const budgets: BudgetAccount[] = [];
    const quota: QuotaAccount[] = [];
    const add = (scope: string, id: string | number, b: VerifiedBudget | null | undefined) => {
      if (!b) return;
      const a = budgetAccount(scope, id, b, now);
      budgets.push(a.account);
      quota.push(a.quota);
    };
    add('token', token.tokenId, token.budget);
    add('user', token.user.id, token.user.budget);
    add('group', token.group.name, token.group.budget);
    return { budgets, quota };
  }

  /** The quota error for the budget that refused, naming it and when it resets. */
  refusal(b: BudgetAccount): DomainError {
    this.metrics.budgetEvents.inc({ scope: b.scope, kind: 'refused' });
    const whose = b.scope === 'group' ? `group "${b.id}"` : `${b.scope} ${b.id}`;
    return new DomainError(
      'insufficient_quota',
      429,
      `You exceeded your current quota: the ${PER[b.period]} budget of $${usd(b.amountMicros)} for ${whose} is spent; it resets at ${new Date(b.resetMs).toISOString()}.`,
    );
  }

  /** After a settle: a budget whose period spend is at or past its soft limit raises its event, once per period. */
  async settled(budgets: BudgetAccount[], result: SettleResult): Promise<void> {
    for (const b of budgets) {
      if (b.softLimitMicros === null || this.raised.has(b.account)) continue;
      const remaining = result.remainingMicros[b.account];
      if (remaining === undefined) continue;
      const spent = b.amountMicros - remaining;
      if (spent < b.softLimitMicros) continue;
      this.raised.add(b.account);
      if (this.raised.size > 10_000) this.raised.clear();
      // Kept a day past the reset, so a replica's late settle of the old period cannot raise it again.
      if (!(await this.store.markOnce(`budget-reached:${b.account}`, b.resetMs - this.now() + 86_400_000))) continue;
      try {
        this.events.reached({
          scope: b.scope as 'user' | 'token' | 'group',
          id: b.id,
          amount: usd(b.amountMicros),
          softLimit: usd(b.softLimitMicros),
          spent: usd(spent),
          period: b.period,
          periodStart: new Date(b.startMs).toISOString(),
          resetsAt: new Date(b.resetMs).toISOString(),
        });
      } catch (e) {
        this.logger.error(`budget event failed: ${(e as Error).message}`);
      }
    }
  }
}
