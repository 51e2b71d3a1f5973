import type { PriceEntry } from '@switchboard/contracts';
import type { BillableUnits } from '@switchboard/protocols';

export interface BillableUsage {
  /** all input tokens, cached ones included (OpenAI semantics) */
  promptTokens: number;
  completionTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
}

const RATIO_SCALE = 1_000_000n;
const MAX_COST_MICROS = BigInt(Number.MAX_SAFE_INTEGER);

/** A non-negative safe integer: usage and prices come from upstreams and admins (NaN, negatives → 0; BigInt(1.5) throws). */
const wholeNumber = (x: number): number => (x > 0 ? Math.round(Math.min(x, Number.MAX_SAFE_INTEGER)) : 0);
const whole = (x: number): bigint => BigInt(wholeNumber(x));

/**
 * SPEC §6: (uncached input × input + cache reads × cacheRead + cache writes × cacheWrite + output × output) / 1e6
 * × group priceRatio + perRequest. Prices are integer micro-USD per million tokens, so the token part is exact in
 * BigInt; the ratio is taken to 6 decimals; one rounding (half up) at the end gives integer micro-USD.
 * Total: any numbers give a safe integer in [0, MAX_SAFE_INTEGER] (fractions round, negatives and NaN count as 0),
 * never a throw, so no upstream's usage can fail the request or its usage record.
 */
export function computeCostMicros(usage: BillableUsage, price: PriceEntry, priceRatio: number, units?: BillableUnits | null): number {
  return (units ? undefined : tokenCostInNumbers(usage, price, priceRatio)) ?? exactCostMicros(usage, price, priceRatio, units);
}

/** computeCostMicros in BigInt throughout: any magnitude (exported for the tests that prove the fast path equal). */
export function exactCostMicros(usage: BillableUsage, price: PriceEntry, priceRatio: number, units?: BillableUnits | null): number {
  const cacheRead = whole(usage.cacheReadTokens);
  const cacheWrite = whole(usage.cacheWriteTokens);
  const uncached = whole(usage.promptTokens) - cacheRead - cacheWrite;
  const tokenPart =
    (uncached > 0n ? uncached : 0n) * whole(price.inputMicros) +
    cacheRead * whole(price.cacheReadMicros) +
    cacheWrite * whole(price.cacheWriteMicros) +
    whole(usage.completionTokens) * whole(price.outputMicros) +
    (units ? unitsPart(units, price) : 0n);
  const ratio = whole(priceRatio * 1e6);
  const denom = 1_000_000n * RATIO_SCALE;
  const scaled = tokenPart * ratio;
  const total = (scaled + denom / 2n) / denom + whole(price.perRequestMicros);
  return Number(total < MAX_COST_MICROS ? total : MAX_COST_MICROS);
}

const HALF = 500_000_000_000;
const DENOM = 1_000_000_000_000;

/**
 * The same formula in doubles, for a request whose scaled token part stays a safe integer (every ordinary request:
 * 100k tokens at $15/M and ratio 1 is 1.5e18, a BigInt's job; 1k tokens is 1.5e14). All terms are non-negative
 * integers, so while the true scaled sum is below 2^53 every product and sum on the way is exact; past it, the
 * rounded result is too (rounding is monotone) and the check sends the request to the BigInt path. Called twice per
 * request (reserve, charge): ~20 BigInts each were a kilobyte of garbage per request.
 */
function tokenCostInNumbers(usage: BillableUsage, price: PriceEntry, priceRatio: number): number | undefined {
  const cacheRead = wholeNumber(usage.cacheReadTokens);
  const cacheWrite = wholeNumber(usage.cacheWriteTokens);
  const uncached = wholeNumber(usage.promptTokens) - cacheRead - cacheWrite;
  const tokenPart =
    (uncached > 0 ? uncached : 0) * wholeNumber(price.inputMicros) +
    cacheRead * wholeNumber(price.cacheReadMicros) +
    cacheWrite * wholeNumber(price.cacheWriteMicros) +
    wholeNumber(usage.completionTokens) * wholeNumber(price.outputMicros);
  // The ratio is a whole number: 0 (then tokenPart does not matter) or ≥ 1 (then scaled ≥ tokenPart, so one check).
  const scaled = tokenPart * wholeNumber(priceRatio * 1e6);
  if (!(scaled <= Number.MAX_SAFE_INTEGER - HALF)) return undefined;
  // Integer division, half up, without trusting the double quotient's last bit: corrected by exact products.
  const n = scaled + HALF;
  let q = Math.floor(n / DENOM);
  if (q * DENOM > n) q--;
  else if ((q + 1) * DENOM <= n) q++;
  const perRequest = wholeNumber(price.perRequestMicros);
  return perRequest > Number.MAX_SAFE_INTEGER - q ? Number.MAX_SAFE_INTEGER : q + perRequest;
}

/**
 * A release suffix the price of the base model covers: a date (`-2024-08-06`, `-20250929`, `@20241022`), a dated
 * snapshot (`-0613`, `-2411`: four digits), a numbered revision (`-001`: three digits with a leading zero), `-latest`,
 * or a dated preview (`-preview-05-20`). Anything else names another product (`gpt-5-pro`, `gpt-4o-mini`,
 * `gpt-4o-audio-preview`) and never falls back to a cheaper base.
 */
const RELEASE_SUFFIX = /(?:-\d{4}-\d{2}-\d{2}|-\d{8}|@\d{8}|-\d{4}|-0\d{2}|-latest|-preview-\d{2}-\d{2})$/;

/** Exact model first, then the model with release suffixes removed one at a time (gpt-4o-2024-08-06 → gpt-4o). */
export function findPrice(prices: ReadonlyMap<string, PriceEntry>, model: string): PriceEntry | undefined {
  let name = model;
  for (;;) {
    const p = prices.get(name);
    if (p) return p;
    const base = name.replace(RELEASE_SUFFIX, '');
    if (base === name || !base) return undefined;
    name = base;
  }
}

/** The price of one image of this size and quality: `quality:size`, then `size`, then the flat per-image price. */
export function perImageMicros(price: PriceEntry, size?: string, quality?: string): number {
  const bySize = price.perImageBySizeMicros;
  if (bySize) {
    const withQuality = quality && size ? bySize[`${quality}:${size}`] : undefined;
    if (withQuality !== undefined) return withQuality;
    if (size && bySize[size] !== undefined) return bySize[size];
  }
  return price.perImageMicros ?? 0;
}

/**
 * Units in the token part's scale (micro-USD × 1e6, so one rounding covers both): images × their price, audio seconds
 * × per-minute / 60, characters × per-million, search units × their price.
 */
function unitsPart(units: BillableUnits, price: PriceEntry): bigint {
  const M = 1_000_000n;
  let part = 0n;
  if (units.images) part += whole(units.images) * whole(perImageMicros(price, units.imageSize, units.imageQuality)) * M;
  // per minute → per second, exact: seconds (to the millisecond) × price × 1e6 / 60
  if (units.audioSeconds) part += (whole(units.audioSeconds * 1000) * whole(price.audioInputPerMinuteMicros ?? 0) * M) / 60_000n;
  if (units.characters) part += whole(units.characters) * whole(price.speechPerMillionCharsMicros ?? 0);
  if (units.searchUnits) part += whole(units.searchUnits) * whole(price.perSearchUnitMicros ?? 0) * M;
  return part;
}
