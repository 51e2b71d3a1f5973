import { Logger } from '@nestjs/common';
import type { AlertEventInput, BansChangedEvent } from '@switchboard/contracts';
import type { HealthStore } from '@switchboard/health';

/** What ban alerts read of a channel. */
export interface BannedChannel {
  id: number;
  name: string;
  enabled: boolean;
  keys: { position: number; status: string }[];
}

/**
 * Turns bans (`router.bans.changed.v1`) into alerts: a (channel, model) pair banned for its error rate or a refused
 * key is `channel_banned`; a key ban that leaves a channel no usable key (every enabled key banned) is `channel_down`.
 * Back-offs after 429/503 expire by themselves and alert nobody; a probe's renewal is deduplicated by the dispatcher.
 */
export class BanAlerts {
  private readonly logger = new Logger(BanAlerts.name);

  constructor(
    private readonly channel: (id: number) => Promise<BannedChannel | null>,
    private readonly health: Pick<HealthStore, 'bans'>,
    private readonly raise: (e: AlertEventInput) => void,
  ) {}

  async onBans(e: BansChangedEvent, now = Date.now()): Promise<void> {
    const set = e.set.filter((b) => b.reason !== 'backoff');
    if (!set.length) return;
    const occurredAt = new Date(now).toISOString();
    for (const b of set.filter((x) => x.model !== undefined)) {
      const c = await this.channel(b.channelId);
      if (!c) continue;
      this.raise({
        event: 'channel_banned',
        subject: `channel:${c.id}`,
        severity: 'warning',
        summary: `Channel "${c.name}" is banned for model ${b.model} (${b.reason === 'auth' ? 'the upstream refused its key' : 'error rate over the threshold'})`,
        details: { channelId: c.id, channelName: c.name, model: b.model, reason: b.detail ?? b.reason, until: new Date(b.until).toISOString() },
        occurredAt,
      });
    }
    const keyBanned = [...new Set(set.filter((x) => x.keyIndex !== undefined).map((x) => x.channelId))];
    if (!keyBanned.length) return;
    const bans = await this.health.bans(now);
    for (const id of keyBanned) {
      const c = await this.channel(id);
      if (!c?.enabled) continue;
      const banned = new Set(bans.filter((b) => b.channelId === id && b.keyIndex !== undefined && b.until > now).map((b) => b.keyIndex));
      const usable = c.keys.filter((k) => k.status === 'enabled' && !banned.has(k.position));
      if (usable.length) continue;
      this.logger.warn(`channel ${c.id} (${c.name}) has no usable key left`);
      this.raise({
        event: 'channel_down',
        subject: `channel:${c.id}`,
        severity: 'critical',
        summary: `Channel "${c.name}" is down: none of its ${c.keys.length} key(s) can be used`,
        details: { channelId: c.id, channelName: c.name, reason: set.find((x) => x.channelId === id)?.detail ?? 'every key banned or disabled' },
        occurredAt,
      });
    }
  }
}
