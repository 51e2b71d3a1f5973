import type { QuotaAccount } from '../limit-store.types';
import { budgetWindow, periodLabel, type BudgetPeriod } from './budget-period';

/** A budget as the gateway sees it on a verified token (micro-USD). */
export interface BudgetState {
  amountMicros: number;
  period: BudgetPeriod;
  softLimitMicros: number | null;
  /** Start of the period `spentMicros` was summed over (ms). */
  periodStartMs: number;
  /** What the ledger held for this period when the token was verified. */
  spentMicros: number;
}

/** One budget that applies to a request: the quota account it is reserved on and what its events report. */
export interface BudgetAccount {
  /** 'user' | 'token' | 'group' */
  scope: string;
  id: string;
  account: string;
  amountMicros: number;
  softLimitMicros: number | null;
  period: BudgetPeriod;
  startMs: number;
  resetMs: number;
}

/**
 * The quota account of a budget's current period: `budget:<scope>:<id>:<period>:<start>:<amount>`. A new period is a
 * new counter (that is the reset); so is a new amount, which is then seeded from the ledger again. The account is
 * seeded with the amount less what the ledger held for the period when the token was verified (0 when that was
 * another period), so the spend survives a restart up to the usage not yet billed.
 */
export function budgetAccount(scope: string, id: string | number, b: BudgetState, nowMs: number): { account: BudgetAccount; quota: QuotaAccount } {
  const { startMs, resetMs } = budgetWindow(b.period, nowMs);
  const key = `budget:${scope}:${id}:${b.period}:${periodLabel(startMs)}:${Math.round(b.amountMicros)}`;
  const spent = b.periodStartMs === startMs ? b.spentMicros : 0;
  return {
    account: { scope, id: String(id), account: key, amountMicros: b.amountMicros, softLimitMicros: b.softLimitMicros, period: b.period, startMs, resetMs },
    quota: { key, initialRemainingMicros: Math.max(0, Math.round(b.amountMicros - spent)) },
  };
}

export const isBudgetAccount = (key: string): boolean => key.startsWith('budget:');
