import type { AppConfig } from '@switchboard/config';

/** The alert knobs (libs/config: SMTP_URL, ALERT_*), read once from the validated config. */
export interface AlertSettings {
  smtpUrl?: string;
  emailFrom: string;
  dedupWindowMs: number;
  perChannelPerHour: number;
  timeoutMs: number;
  retries: number;
  /** the first retry's wait; doubles after each */
  retryBaseMs: number;
  errorRateThreshold: number;
  errorRateMinRequests: number;
  errorRateCheckIntervalMs: number;
  /** the health window error rates are read over (BAN_WINDOW_MS) */
  errorRateWindowMs: number;
}

export const ALERT_SETTINGS = Symbol('ALERT_SETTINGS');

export function alertSettingsFrom(c: AppConfig): AlertSettings {
  return {
    smtpUrl: c.SMTP_URL,
    emailFrom: c.ALERT_EMAIL_FROM,
    dedupWindowMs: c.ALERT_DEDUP_WINDOW_MS,
    perChannelPerHour: c.ALERT_RATE_LIMIT_PER_HOUR,
    timeoutMs: c.ALERT_DELIVERY_TIMEOUT_MS,
    retries: c.ALERT_RETRIES,
    retryBaseMs: 1_000,
    errorRateThreshold: c.ALERT_ERROR_RATE_THRESHOLD,
    errorRateMinRequests: c.ALERT_ERROR_RATE_MIN_REQUESTS,
    errorRateCheckIntervalMs: c.ALERT_ERROR_RATE_CHECK_INTERVAL_MS,
    errorRateWindowMs: c.BAN_WINDOW_MS,
  };
}
