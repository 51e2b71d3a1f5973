/**
 * The price arithmetic the prices page shows. The gateway bills with libs/pricing (`computeCostMicros`,
 * `findPrice`); the console cannot bundle server code, so the formula and the release-suffix rule are repeated here
 * and price-math.spec.ts checks both against libs/pricing.
 */

/**
 * A price as the admin API answers it: USD per million tokens, `perRequest` in USD; the unit prices (SPEC §8) in USD
 * per image (by `size` or `quality:size`), audio minute, million speech characters and search unit (null: free).
 */
export interface PriceLike {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  perRequest: number;
  perImage?: number | null;
  perImageBySize?: Record<string, number> | null;
  audioInputPerMinute?: number | null;
  speechPerMillionChars?: number | null;
  perSearchUnit?: number | null;
}

export interface ExampleUsage {
  /** all input tokens, cached ones included */
  input: number;
  output: number;
  cacheRead?: number;
  cacheWrite?: number;
  images?: number;
  /** `1024x1024`: picks the by-size price (with `imageQuality`, a `quality:size` one first) */
  imageSize?: string;
  imageQuality?: string;
  audioSeconds?: number;
  characters?: number;
  searchUnits?: number;
}

const micros = (usd: number | null | undefined) => (typeof usd === 'number' && Number.isFinite(usd) && usd > 0 ? Math.round(usd * 1e6) : 0);
const count = (n: number | undefined) => BigInt(n && n > 0 && Number.isFinite(n) ? Math.round(n) : 0);

/** The price of one image of this size and quality (libs/pricing `perImageMicros`): `quality:size`, `size`, then flat. */
export function perImagePrice(price: PriceLike, size?: string, quality?: string): number {
  const bySize = price.perImageBySize;
  if (bySize && size) {
    if (quality && bySize[`${quality}:${size}`] !== undefined) return bySize[`${quality}:${size}`];
    if (bySize[size] !== undefined) return bySize[size];
  }
  return price.perImage ?? 0;
}

/** The units' part in the token part's scale (micro-USD × 1e6), as libs/pricing computes it. */
function unitsPart(price: PriceLike, u: ExampleUsage): bigint {
  const M = 1_000_000n;
  return (
    count(u.images) * BigInt(micros(perImagePrice(price, u.imageSize, u.imageQuality))) * M +
    (count((u.audioSeconds ?? 0) * 1000) * BigInt(micros(price.audioInputPerMinute)) * M) / 60_000n +
    count(u.characters) * BigInt(micros(price.speechPerMillionChars)) +
    count(u.searchUnits) * BigInt(micros(price.perSearchUnit)) * M
  );
}

/**
 * SPEC §6 in integer micro-dollars, as billing computes it: (uncached input × input + cache reads × cacheRead +
 * cache writes × cacheWrite + output × output) / 1e6, plus the units (images, audio, characters, search units),
 * × ratio + perRequest, rounded half up once. Answers USD.
 */
export function exampleCost(price: PriceLike, usage: ExampleUsage, ratio = 1): number {
  const cacheRead = usage.cacheRead ?? 0;
  const cacheWrite = usage.cacheWrite ?? 0;
  const uncached = Math.max(0, usage.input - cacheRead - cacheWrite);
  const tokenPart =
    BigInt(uncached) * BigInt(micros(price.input)) +
    BigInt(cacheRead) * BigInt(micros(price.cacheRead)) +
    BigInt(cacheWrite) * BigInt(micros(price.cacheWrite)) +
    BigInt(usage.output) * BigInt(micros(price.output)) +
    unitsPart(price, usage);
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
