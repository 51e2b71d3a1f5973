import type { AppConfig } from '@switchboard/config';
import { usdToMicros } from '@switchboard/db';

/**
 * Billing's knobs, read from the validated process config (libs/config: BALANCE_LOW_THRESHOLD_USD,
 * LEDGER_RECONCILE_INTERVAL_MS, QUOTA_RECONCILE_INTERVAL_MS, QUOTA_RECONCILE_AFTER_CHARGES), in the units billing computes with.
 */
export interface BillingSettings {
  lowBalanceThresholdMicros: bigint;
  reconcileIntervalMs: number;
  /** the gateways' quota counters against the ledger */
  quotaReconcileIntervalMs: number;
  /** ...and as soon as this many billed requests are left pending per request since the last run (0 = on the interval only) */
  quotaReconcileAfterCharges: number;
}

export const BILLING_SETTINGS = Symbol('BILLING_SETTINGS');

export function billingSettingsFrom(
  config: Pick<AppConfig, 'BALANCE_LOW_THRESHOLD_USD' | 'LEDGER_RECONCILE_INTERVAL_MS' | 'QUOTA_RECONCILE_INTERVAL_MS' | 'QUOTA_RECONCILE_AFTER_CHARGES'>,
): BillingSettings {
  return {
    lowBalanceThresholdMicros: usdToMicros(config.BALANCE_LOW_THRESHOLD_USD),
    reconcileIntervalMs: config.LEDGER_RECONCILE_INTERVAL_MS,
    quotaReconcileIntervalMs: config.QUOTA_RECONCILE_INTERVAL_MS,
    quotaReconcileAfterCharges: config.QUOTA_RECONCILE_AFTER_CHARGES,
  };
}
