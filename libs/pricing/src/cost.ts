import type { PriceEntry } from '@switchboard/contracts';

export interface BillableUsage {
  /** all input tokens, cached ones included (OpenAI semantics) */
  promptTokens: number;
  completionTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
}

const RATIO_SCALE = 1_000_000n;

/**
 * SPEC §6: (uncached input × input + cache reads × cacheRead + cache writes × cacheWrite + output × output) / 1e6
 * × group priceRatio + perRequest. Prices are integer micro-USD per million tokens, so the token part is exact in
 * BigInt; the ratio is taken to 6 decimals; one rounding (half up) at the end gives integer micro-USD.
 */
export function computeCostMicros(usage: BillableUsage, price: PriceEntry, priceRatio: number): number {
  const uncached = Math.max(0, usage.promptTokens - usage.cacheReadTokens - usage.cacheWriteTokens);
  const tokenPart =
    BigInt(uncached) * BigInt(price.inputMicros) +
    BigInt(usage.cacheReadTokens) * BigInt(price.cacheReadMicros) +
    BigInt(usage.cacheWriteTokens) * BigInt(price.cacheWriteMicros) +
    BigInt(usage.completionTokens) * BigInt(price.outputMicros);
  const ratio = BigInt(Math.round(priceRatio * 1e6));
  const denom = 1_000_000n * RATIO_SCALE;
  const scaled = tokenPart * ratio;
  const rounded = (scaled + denom / 2n) / denom;
  return Number(rounded) + price.perRequestMicros;
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
