/**
 * The price arithmetic the prices page shows. The gateway bills with libs/pricing (`computeCostMicros`,
 * `findPrice`); the console cannot bundle server code, so the formula and the release-suffix rule are repeated here
 * and price-math.spec.ts checks both against libs/pricing.
 */

/** A price as the admin API answers it: USD per million tokens, `perRequest` in USD. */
export interface PriceLike {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  perRequest: number;
}

export interface ExampleUsage {
  /** all input tokens, cached ones included */
  input: number;
  output: number;
  cacheRead?: number;
  cacheWrite?: number;
}

const micros = (usd: number) => (Number.isFinite(usd) && usd > 0 ? Math.round(usd * 1e6) : 0);

/**
 * SPEC §6 in integer micro-dollars, as billing computes it: (uncached input × input + cache reads × cacheRead +
 * cache writes × cacheWrite + output × output) / 1e6 × ratio + perRequest, rounded half up once. Answers USD.
 */
export function exampleCost(price: PriceLike, usage: ExampleUsage, ratio = 1): number {
  const cacheRead = usage.cacheRead ?? 0;
  const cacheWrite = usage.cacheWrite ?? 0;
  const uncached = Math.max(0, usage.input - cacheRead - cacheWrite);
  const tokenPart =
    BigInt(uncached) * BigInt(micros(price.input)) +
    BigInt(cacheRead) * BigInt(micros(price.cacheRead)) +
    BigInt(cacheWrite) * BigInt(micros(price.cacheWrite)) +
    BigInt(usage.output) * BigInt(micros(price.output));
  const scaledRatio = BigInt(Math.round(Math.max(0, ratio) * 1e6));
  const denom = 1_000_000n * 1_000_000n;
  const total = (tokenPart * scaledRatio + denom / 2n) / denom + BigInt(micros(price.perRequest));
  return Number(total) / 1e6;
}

/** Same rule as libs/pricing `RELEASE_SUFFIX`: a date, snapshot, revision, `-latest` or dated preview. */
const RELEASE_SUFFIX = /(?:-\d{4}-\d{2}-\d{2}|-\d{8}|@\d{8}|-\d{4}|-0\d{2}|-latest|-preview-\d{2}-\d{2})$/;

/** The priced name billing uses for `model`: itself, else the model with release suffixes removed; undefined = unpriced. */
export function pricedAs(priced: ReadonlySet<string>, model: string): string | undefined {
  let name = model;
  for (;;) {
    if (priced.has(name)) return name;
    const base = name.replace(RELEASE_SUFFIX, '');
    if (base === name || !base) return undefined;
    name = base;
  }
}

/**
 * A price as stored (micro-dollar precision): at least cents, up to six decimals, so a column reads $0.80, $0.075,
 * $15.00 alike and nothing stored is rounded away.
 */
export const fmtPrice = (usd: number, locale: string) =>
  new Intl.NumberFormat(locale, { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 6 }).format(usd);
