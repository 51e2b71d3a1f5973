/**
 * Balances and ledger amounts to the micro-dollar the API keeps: a request costing $0.000012 must show in a $12.50
 * balance ($12.499988), which the dashboard's cents-from-$1 format would round away.
 */
export const fmtBalance = (n: number, locale: string) =>
  new Intl.NumberFormat(locale, { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 6 }).format(n);

/** A ledger move with its sign: +$12.50 credited, −$0.000012 debited. */
export const fmtSignedUsd = (n: number, locale: string) =>
  new Intl.NumberFormat(locale, { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 6, signDisplay: 'exceptZero' }).format(
    n,
  );

export const fmtDate = (iso: string, locale: string) => new Intl.DateTimeFormat(locale, { dateStyle: 'medium' }).format(new Date(iso));
export const fmtDateTime = (iso: string, locale: string) => new Intl.DateTimeFormat(locale, { dateStyle: 'short', timeStyle: 'medium' }).format(new Date(iso));
