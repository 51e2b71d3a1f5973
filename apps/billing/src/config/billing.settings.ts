import { usdToMicros } from '@switchboard/db';
import { z } from 'zod';

/**
 * Billing's own knobs (read once at start, validated together; not in SPEC §3 so they live with the service):
 * - BALANCE_LOW_THRESHOLD_USD (default 1): a debit that takes a balance from at-or-above this to below it emits
 *   `billing.balance.low.v1` and counts in switchboard_balance_low_events_total.
 * - LEDGER_RECONCILE_INTERVAL_MS (default 600000): how often balances and used quotas are checked against the ledger
 *   (also once at start-up).
 */
const SettingsSchema = z.object({
  BALANCE_LOW_THRESHOLD_USD: z.coerce.number().finite().min(0).default(1),
  LEDGER_RECONCILE_INTERVAL_MS: z.coerce.number().int().min(1_000).default(600_000),
});

export interface BillingSettings {
  lowBalanceThresholdMicros: bigint;
  reconcileIntervalMs: number;
}

export const BILLING_SETTINGS = Symbol('BILLING_SETTINGS');

export function loadBillingSettings(env: NodeJS.ProcessEnv = process.env): BillingSettings {
  const r = SettingsSchema.safeParse(env);
  if (!r.success) {
    throw new Error(`Invalid configuration:\n${r.error.issues.map((i) => `  - ${i.path.join('.')}: ${i.message}`).join('\n')}`);
  }
  return {
    lowBalanceThresholdMicros: usdToMicros(r.data.BALANCE_LOW_THRESHOLD_USD),
    reconcileIntervalMs: r.data.LEDGER_RECONCILE_INTERVAL_MS,
  };
}
