import type { AppConfig } from '@switchboard/config';
import type { BanPolicy } from './health.types';

export function banPolicyFrom(
  config: Pick<AppConfig, 'BAN_ERROR_RATE' | 'BAN_MIN_REQUESTS' | 'BAN_WINDOW_MS' | 'BAN_DURATION_MS' | 'BAN_PROBE_INTERVAL_MS'>,
): BanPolicy {
  return {
    errorRate: config.BAN_ERROR_RATE,
    minRequests: config.BAN_MIN_REQUESTS,
    windowMs: config.BAN_WINDOW_MS,
    banMs: config.BAN_DURATION_MS,
    probeIntervalMs: config.BAN_PROBE_INTERVAL_MS,
  };
}
