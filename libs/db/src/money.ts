// Money is stored as BigInt micro-USD (1 USD = 1_000_000 micros) so sums and balances are exact.
// The admin API speaks USD as JSON numbers; these two functions are the only conversion.

export const MICROS_PER_USD = 1_000_000n;

/**
 * USD (a JSON number) → micro-USD. Works on the number's shortest decimal form (what JSON carried),
 * so 0.1 is exactly 100000 and anything with up to 6 decimals is exact; beyond that it rounds half
 * away from zero (0.0000005 → 1, -0.0000005 → -1).
 */
export function usdToMicros(usd: number): bigint {
  if (typeof usd !== 'number' || !Number.isFinite(usd)) throw new RangeError(`not a finite USD amount: ${String(usd)}`);
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/i.exec(String(usd));
  if (!m) throw new RangeError(`cannot read USD amount ${String(usd)}`);
  const [, sign, intPart, fracPart = '', expPart = '0'] = m;
  // value = 0.<digits> shifted: digits × 10^(exp - fracLen); we want it × 10^6
  const digits = BigInt(intPart + fracPart);
  const shift = Number(expPart) - fracPart.length + 6;
  let micros: bigint;
  if (shift >= 0) {
    micros = digits * 10n ** BigInt(shift);
  } else {
    const div = 10n ** BigInt(-shift);
    micros = digits / div;
    if ((digits % div) * 2n >= div) micros += 1n; // half away from zero (sign applied after)
  }
  return sign === '-' && micros !== 0n ? -micros : micros;
}

/** micro-USD → USD as the nearest JSON number (exact decimal text, then one correctly rounded parse). */
export function microsToUsd(micros: bigint): number {
  const neg = micros < 0n;
  const abs = neg ? -micros : micros;
  const whole = abs / MICROS_PER_USD;
  const frac = (abs % MICROS_PER_USD).toString().padStart(6, '0');
  const n = Number(`${whole}.${frac}`);
  return neg ? -n : n;
}

/** Like usdToMicros but passes null/undefined through (null = unlimited in balances and quotas). */
export function usdToMicrosOrNull(usd: number | null | undefined): bigint | null {
  return usd === null || usd === undefined ? null : usdToMicros(usd);
}

/** Like microsToUsd but passes null through. */
export function microsToUsdOrNull(micros: bigint | null | undefined): number | null {
  return micros === null || micros === undefined ? null : microsToUsd(micros);
}
