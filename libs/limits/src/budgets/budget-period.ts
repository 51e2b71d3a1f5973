/** A budget's period: it resets at the start of each UTC day, ISO week (Monday 00:00 UTC) or calendar month (UTC). */
export type BudgetPeriod = 'day' | 'week' | 'month';
export const BUDGET_PERIODS: readonly BudgetPeriod[] = ['day', 'week', 'month'];

const DAY_MS = 86_400_000;

/** The period that holds `nowMs`: its first millisecond and the first millisecond of the next one (the reset). */
export function budgetWindow(period: BudgetPeriod, nowMs: number): { startMs: number; resetMs: number } {
  const d = new Date(nowMs);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  const dayStart = Date.UTC(y, m, d.getUTCDate());
  if (period === 'day') return { startMs: dayStart, resetMs: dayStart + DAY_MS };
  if (period === 'week') {
    // getUTCDay: Sunday 0 … Saturday 6; days since Monday.
    const start = dayStart - ((d.getUTCDay() + 6) % 7) * DAY_MS;
    return { startMs: start, resetMs: start + 7 * DAY_MS };
  }
  // Date.UTC rolls month 12 over into January of the next year.
  return { startMs: Date.UTC(y, m, 1), resetMs: Date.UTC(y, m + 1, 1) };
}

/** 'day' + 2026-12-06 → '2026-12-06': the period's start as it appears in counter keys. */
export const periodLabel = (startMs: number): string => new Date(startMs).toISOString().slice(0, 10);
