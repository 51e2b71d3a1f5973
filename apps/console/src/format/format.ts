/** Number formats the dashboard and lists share; `—` stands for "no value" (no requests, no latency sample). */
export const fmtInt = (n: number, locale: string) => new Intl.NumberFormat(locale).format(n);
/** Dollars: cents from $1 up; below, three significant digits, so $0.0000015 and $0.000002 stay apart (axis ticks). */
export const fmtUsd = (n: number, locale: string) =>
  new Intl.NumberFormat(
    locale,
    n !== 0 && Math.abs(n) < 1
      ? { style: 'currency', currency: 'USD', maximumSignificantDigits: 3 }
      : { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 },
  ).format(n);
export const fmtPercent = (ratio: number, locale: string) => new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 }).format(ratio);
export const fmtMs = (ms: number | null | undefined) => (ms === null || ms === undefined ? '—' : `${Math.round(ms)} ms`);
/** A moment in the reader's zone and language (expiry, creation); `—` for none. */
export const fmtDateTime = (iso: string | null | undefined, locale: string) =>
  iso ? new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso)) : '—';
