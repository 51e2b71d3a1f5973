import type { PriceEntry, VerifiedToken } from '@switchboard/contracts';

/**
 * The prompt estimate feeds two things: the quota reservation (only when the model is priced and the token quota or
 * the user balance is limited) and the TPM windows before settle (only binding when some scope has a TPM limit;
 * settle replaces the estimate with the real count either way). When neither applies, running the real tokenizer
 * (gpt-tokenizer: ~2 % of the gateway's CPU on a 40-token prompt, milliseconds on a 100k-token one) buys nothing,
 * and a byte-length estimate keeps the in-flight TPM count roughly right.
 */
export function needsTokenizedEstimate(token: VerifiedToken, price: PriceEntry | null): boolean {
  if (price && (token.quotaMicros !== null || token.user.balanceMicros !== null)) return true;
  return [token.limits, token.user.limits, token.group.limits].some((l) => l?.tpm !== null && l?.tpm !== undefined);
}

export function roughTokenEstimate(raw: Buffer): number {
  return Math.ceil(raw.length / 4);
}

export function errorClass(status: number): string {
  if (status === 401) return 'auth';
  if (status === 402) return 'quota';
  if (status === 429) return 'rate_limit';
  if (status === 404) return 'not_found';
  if (status === 504) return 'timeout';
  if (status === 499) return 'client_closed';
  if (status >= 500) return 'upstream';
  return 'client';
}
