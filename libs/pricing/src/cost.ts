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

/** Exact model first, then the longest priced prefix followed by '-' (gpt-4o-2024-08-06 → gpt-4o). */
export function findPrice(prices: ReadonlyMap<string, PriceEntry>, model: string): PriceEntry | undefined {
  const exact = prices.get(model);
  if (exact) return exact;
  let best: PriceEntry | undefined;
  for (const [key, p] of prices) {
    if (model.startsWith(key + '-') && (!best || key.length > best.model.length)) best = p;
  }
  return best;
}
