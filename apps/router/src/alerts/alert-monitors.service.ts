import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { BansChangedEvent } from '@switchboard/contracts';
import { HEALTH_STORE, type HealthStore } from '@switchboard/health';
import { ChannelRepository } from '../channels/channel.repository';
import { AlertDispatcher } from './alert-dispatcher.service';
import { ALERT_SETTINGS, type AlertSettings } from './alert-settings';
import { BanAlerts } from './ban-alerts';
import { ErrorRateMonitor } from './error-rate.monitor';

/** The router's own alert sources: bans as they are announced, and the periodic error-rate check. */
@Injectable()
export class AlertMonitors implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AlertMonitors.name);
  private readonly bans: BanAlerts;
  private readonly errorRate: ErrorRateMonitor;
  private timer?: NodeJS.Timeout;

  constructor(
    channels: ChannelRepository,
    @Inject(HEALTH_STORE) health: HealthStore,
    dispatcher: AlertDispatcher,
    @Inject(ALERT_SETTINGS) private readonly settings: AlertSettings,
  ) {
    const raise = (e: unknown) => dispatcher.raise(e);
    this.bans = new BanAlerts((id) => channels.withKeys(id), health, raise);
    this.errorRate = new ErrorRateMonitor(() => channels.enabledWithKeys(), health, settings, raise);
  }

  onApplicationBootstrap(): void {
    const every = this.settings.errorRateCheckIntervalMs;
    if (!every) return;
    this.timer = setInterval(
      () => void this.errorRate.check().catch((e: unknown) => this.logger.warn(`error-rate check failed: ${(e as Error).message}`)),
      every,
    );
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  onBans(e: BansChangedEvent): Promise<void> {
    return this.bans.onBans(e).catch((err: unknown) => this.logger.warn(`ban alerts failed: ${(err as Error).message}`));
  }
}
