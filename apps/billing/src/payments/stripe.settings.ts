import type { AppConfig } from '@switchboard/config';

/** Stripe top-ups' knobs from the validated config (libs/config: STRIPE_*); `secretKey` unset = top-ups off. */
export interface StripeSettings {
  secretKey: string | undefined;
  webhookSecret: string | undefined;
  apiUrl: string;
  currency: string;
  minAmount: number;
  maxAmount: number;
  usdPerUnit: number;
  returnUrl: string | undefined;
}

export const STRIPE_SETTINGS = Symbol('STRIPE_SETTINGS');

export function stripeSettingsFrom(
  c: Pick<
    AppConfig,
    | 'STRIPE_SECRET_KEY'
    | 'STRIPE_WEBHOOK_SECRET'
    | 'STRIPE_API_URL'
    | 'STRIPE_CURRENCY'
    | 'STRIPE_MIN_AMOUNT'
    | 'STRIPE_MAX_AMOUNT'
    | 'STRIPE_USD_PER_UNIT'
    | 'STRIPE_RETURN_URL'
  >,
): StripeSettings {
  return {
    secretKey: c.STRIPE_SECRET_KEY,
    webhookSecret: c.STRIPE_WEBHOOK_SECRET,
    apiUrl: c.STRIPE_API_URL,
    currency: c.STRIPE_CURRENCY,
    minAmount: c.STRIPE_MIN_AMOUNT,
    maxAmount: c.STRIPE_MAX_AMOUNT,
    usdPerUnit: c.STRIPE_USD_PER_UNIT,
    returnUrl: c.STRIPE_RETURN_URL,
  };
}

// Stripe amounts are integers in the currency's minor unit; these currencies have none (or, for the three-decimal
// ones, thousandths). https://docs.stripe.com/currencies#zero-decimal
const ZERO_DECIMAL = new Set(['bif', 'clp', 'djf', 'gnf', 'jpy', 'kmf', 'krw', 'mga', 'pyg', 'rwf', 'ugx', 'vnd', 'vuv', 'xaf', 'xof', 'xpf']);
const THREE_DECIMAL = new Set(['bhd', 'jod', 'kwd', 'omr', 'tnd']);

/** How many minor units one major unit of `currency` holds (100 for usd, 1 for jpy). */
export function minorUnitsPerUnit(currency: string): number {
  return ZERO_DECIMAL.has(currency) ? 1 : THREE_DECIMAL.has(currency) ? 1000 : 100;
}
