import type { AlertEventInput } from '@switchboard/contracts';
import type { HealthStore } from '@switchboard/health';
import type { AlertSettings } from './alert-settings';

/**
 * The `error_rate` check, run every ALERT_ERROR_RATE_CHECK_INTERVAL_MS: each enabled channel's attempts in the shared
 * health window (BAN_WINDOW_MS), and all of them together as the gateway's, against ALERT_ERROR_RATE_THRESHOLD once
 * there are ALERT_ERROR_RATE_MIN_REQUESTS of them.
 */
export class ErrorRateMonitor {
  constructor(
    private readonly channels: () => Promise<{ id: number; name: string }[]>,
    private readonly health: Pick<HealthStore, 'channelWindow'>,
    private readonly settings: Pick<AlertSettings, 'errorRateThreshold' | 'errorRateMinRequests' | 'errorRateWindowMs'>,
    private readonly raise: (e: AlertEventInput) => void,
  ) {}

  async check(now = Date.now()): Promise<void> {
    const { errorRateThreshold: threshold, errorRateMinRequests: min, errorRateWindowMs: windowMs } = this.settings;
    const occurredAt = new Date(now).toISOString();
    const pct = (r: number) => `${Math.round(r * 1000) / 10} %`;
    let requests = 0;
    let errors = 0;
    for (const c of await this.channels()) {
      const w = await this.health.channelWindow(c.id, now);
      requests += w.requests;
      errors += w.errors;
      const rate = w.requests ? w.errors / w.requests : 0;
      if (w.requests < min || rate < threshold) continue;
      this.raise({
        event: 'error_rate',
        subject: `channel:${c.id}`,
        severity: 'warning',
        summary: `Channel "${c.name}": ${pct(rate)} of ${w.requests} upstream attempts failed in the last ${Math.round(windowMs / 1000)} s`,
        details: { channelId: c.id, channelName: c.name, requests: w.requests, errors: w.errors, errorRate: rate, threshold, windowMs },
        occurredAt,
      });
    }
    const rate = requests ? errors / requests : 0;
    if (requests < min || rate < threshold) return;
    this.raise({
      event: 'error_rate',
      subject: 'gateway',
      severity: 'critical',
      summary: `Gateway: ${pct(rate)} of ${requests} upstream attempts failed in the last ${Math.round(windowMs / 1000)} s`,
      details: { requests, errors, errorRate: rate, threshold, windowMs },
      occurredAt,
    });
  }
}
