/** A budget as the admin API answers it (users, tokens and groups): the configuration and its current period. */
export interface BudgetAnswer {
  amount: number;
  period: 'day' | 'week' | 'month';
  softLimit: number | null;
  spent: number;
  periodStart: string;
  resetsAt: string;
}

/** What the API takes: null clears it. */
export type BudgetBody = { amount: number; period: 'day' | 'week' | 'month'; softLimit?: number | null } | null;

/** The budget part of a form as typed: off = no budget; an empty soft limit = none. */
export interface BudgetDraft {
  enabled: boolean;
  amount: number | string;
  period: 'day' | 'week' | 'month';
  softLimit: number | string;
}

export const emptyBudgetDraft: BudgetDraft = { enabled: false, amount: '', period: 'month', softLimit: '' };

export function draftFromBudget(b: BudgetAnswer | null | undefined): BudgetDraft {
  if (!b) return emptyBudgetDraft;
  return { enabled: true, amount: b.amount, period: b.period, softLimit: b.softLimit ?? '' };
}

/** Text that is not a number is sent as typed, so the API refuses it with its own message naming the field. */
function num(v: number | string): number | null {
  if (typeof v === 'number') return v;
  const s = v.trim();
  if (s === '') return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : (s as unknown as number);
}

export function budgetBody(d: BudgetDraft): BudgetBody {
  if (!d.enabled) return null;
  return { amount: num(d.amount) ?? 0, period: d.period, softLimit: num(d.softLimit) };
}

/** Same budget (edits send only what changed). */
export const sameBudget = (a: BudgetBody | undefined, b: BudgetBody | undefined): boolean => JSON.stringify(a) === JSON.stringify(b);
