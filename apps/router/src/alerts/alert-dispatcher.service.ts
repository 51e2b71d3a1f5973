import { randomUUID } from 'node:crypto';
import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { SecretBox } from '@switchboard/common';
import { AlertEvent } from '@switchboard/contracts';
import type { AlertChannel } from '@switchboard/db';
import { processMetrics } from '@switchboard/observability';
import type { AlertChannels } from './alert-channel.repository';
import { openChannel } from './alert-channel.secrets';
import type { AlertGate } from './alert-gate';
import { deliverWithRetries, type DeliveryResult } from './alert-retry';
import type { AlertPayload, AlertSenders } from './alert-senders';
import type { AlertSettings } from './alert-settings';

/**
 * Takes every alert (`alerts.raised.v1`, and the router's own ban and error-rate findings) and delivers it to the
 * enabled channels subscribed to its event: deduplicated per event and subject, rate-limited per channel, each
 * delivery retried with backoff in the background, so whoever raised it never waits.
 */
export class AlertDispatcher implements OnApplicationShutdown {
  private readonly logger = new Logger(AlertDispatcher.name);
  private readonly inflight = new Set<Promise<unknown>>();
  private readonly metrics = processMetrics();

  constructor(
    private readonly repo: AlertChannels,
    private readonly settings: AlertSettings,
    private readonly box: SecretBox,
    private readonly senders: AlertSenders,
    private readonly gate: AlertGate,
    private readonly sleep?: (ms: number) => Promise<void>,
  ) {}

  /** Returns at once; an invalid event is logged and dropped. */
  raise(input: unknown): void {
    const parsed = AlertEvent.safeParse(input);
    if (!parsed.success) {
      this.logger.warn(`an alert event was dropped: ${parsed.error.issues[0].message}`);
      return;
    }
    this.track(this.dispatch(parsed.data));
  }

  private track(p: Promise<unknown>): void {
    const guarded = p.catch((e: unknown) => this.logger.error(`alert dispatch failed: ${(e as Error).message}`));
    this.inflight.add(guarded);
    void guarded.finally(() => this.inflight.delete(guarded));
  }

  async dispatch(e: AlertEvent): Promise<void> {
    const channels = await this.repo.subscribedTo(e.event);
    if (!channels.length) return;
    if (!(await this.gate.fresh(e.event, e.subject))) {
      for (const c of channels) this.metrics.alertsSent.inc({ type: c.type, event: e.event, outcome: 'deduplicated' });
      return;
    }
    const payload: AlertPayload = { id: `alrt_${randomUUID()}`, ...e };
    await Promise.all(
      channels.map(async (c) => {
        if (!(await this.gate.allow(c.id))) {
          this.metrics.alertsSent.inc({ type: c.type, event: e.event, outcome: 'rate_limited' });
          this.logger.warn(`alert channel ${c.id} (${c.name}) is over ALERT_RATE_LIMIT_PER_HOUR: ${e.event} ${e.subject} not sent`);
          return;
        }
        const r = await this.deliver(c, payload);
        this.metrics.alertsSent.inc({ type: c.type, event: e.event, outcome: r.delivered ? 'sent' : 'failed' });
      }),
    );
  }

  /** One alert to one channel with retries; the outcome is stored on the channel. Not gated (a test alert uses it). */
  async deliver(row: AlertChannel, payload: AlertPayload): Promise<DeliveryResult> {
    let result: DeliveryResult;
    try {
      const channel = openChannel(row, this.box);
      result = await deliverWithRetries(() => this.senders.send(channel, payload), {
        retries: this.settings.retries,
        baseDelayMs: this.settings.retryBaseMs,
        sleep: this.sleep,
      });
    } catch (e) {
      result = { delivered: false, attempts: 0, error: `its secrets cannot be opened with this SECRET_KEY (${(e as Error).message})` };
    }
    if (!result.delivered)
      this.logger.warn(`alert ${payload.event} to channel ${row.id} (${row.name}) failed after ${result.attempts} attempt(s): ${result.error}`);
    await this.repo.recordDelivery(row.id, new Date(), result.error).catch(() => undefined);
    return result;
  }

  /** Resolves when every delivery under way has finished (shutdown, tests). */
  async settled(): Promise<void> {
    while (this.inflight.size) await Promise.all([...this.inflight]);
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.race([this.settled(), new Promise((r) => setTimeout(r, this.settings.timeoutMs).unref())]);
    this.senders.close();
    await this.gate.close();
  }
}
