import type { Provider } from '@nestjs/common';
import { SecretBox } from '@switchboard/common';
import { APP_CONFIG, redisConnectionOptions, type AppConfig } from '@switchboard/config';
import { AlertChannelRepository } from './alert-channel.repository';
import { AlertChannelService } from './alert-channel.service';
import { AlertDispatcher } from './alert-dispatcher.service';
import { MemoryAlertGate, type AlertGate } from './alert-gate';
import { AlertMonitors } from './alert-monitors.service';
import { AlertSenders } from './alert-senders';
import { ALERT_SETTINGS, alertSettingsFrom, type AlertSettings } from './alert-settings';
import { AlertsEventsController } from './alerts.events-controller';
import { RedisAlertGate } from './redis-alert-gate';

/** Shared by the router replicas through REDIS_URL (cluster), else this process's own. */
function alertGate(s: AlertSettings, c: AppConfig): AlertGate {
  const options = { dedupWindowMs: s.dedupWindowMs, perChannelPerHour: s.perChannelPerHour };
  return c.REDIS_URL ? RedisAlertGate.fromUrl(c.REDIS_URL, options, redisConnectionOptions(c)) : new MemoryAlertGate(options);
}

export { AlertChannelService } from './alert-channel.service';

/** Alerts (SPEC §8): channels, delivery, and the router's own alert sources. The router module lists these. */
export const ALERT_CONTROLLERS = [AlertsEventsController];
export const ALERT_PROVIDERS: Provider[] = [
  AlertChannelRepository,
  { provide: ALERT_SETTINGS, useFactory: alertSettingsFrom, inject: [APP_CONFIG] },
  {
    provide: AlertDispatcher,
    useFactory: (repo: AlertChannelRepository, s: AlertSettings, c: AppConfig) =>
      new AlertDispatcher(
        repo,
        s,
        new SecretBox(c.SECRET_KEY),
        new AlertSenders({ smtpUrl: s.smtpUrl, from: s.emailFrom, timeoutMs: s.timeoutMs }),
        alertGate(s, c),
      ),
    inject: [AlertChannelRepository, ALERT_SETTINGS, APP_CONFIG],
  },
  {
    provide: AlertChannelService,
    useFactory: (repo: AlertChannelRepository, c: AppConfig, d: AlertDispatcher) => new AlertChannelService(repo, new SecretBox(c.SECRET_KEY), d),
    inject: [AlertChannelRepository, APP_CONFIG, AlertDispatcher],
  },
  AlertMonitors,
];
