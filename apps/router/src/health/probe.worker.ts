import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@switchboard/config';
import { Subjects } from '@switchboard/contracts';
import { HEALTH_STORE, banField, jittered, type Ban, type HealthStore } from '@switchboard/health';
import { Bus } from '@switchboard/messaging';
import { ChannelRepository, type Channels } from '../channels/channel.repository';
import { ChannelProber } from './channel-prober';

/**
 * Lifts bans when the upstream answers again: each `error_rate` or `auth` ban is probed when its own `nextProbeAt`
 * comes (looked for every third of the probe interval); a success lifts it (and clears its window), a failure renews
 * it. Probes run independently, each bounded by its channel's timeouts: a hanging upstream holds only its own ban's
 * probe, which the next looks skip until it ends. Also runs the periodic health check of every enabled channel
 * (CHANNEL_CHECK_INTERVAL_MS), recording response time and check time.
 */
@Injectable()
export class ProbeWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ProbeWorker.name);
  private timers: NodeJS.Timeout[] = [];
  /** Bans (by field) whose probe is on its way. */
  private readonly probing = new Set<string>();

  constructor(
    @Inject(ChannelRepository) private readonly channels: Channels,
    private readonly prober: ChannelProber,
    private readonly bus: Bus,
    @Inject(HEALTH_STORE) private readonly store: HealthStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const tick = Math.max(100, Math.floor(this.config.BAN_PROBE_INTERVAL_MS / 3));
    this.timers.push(setInterval(() => void this.probeDueBans(), tick));
    if (this.config.CHANNEL_CHECK_INTERVAL_MS > 0) {
      this.timers.push(setInterval(() => void this.checkAll(), this.config.CHANNEL_CHECK_INTERVAL_MS));
    }
    for (const t of this.timers) t.unref();
  }

  async onModuleDestroy(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    await this.store.close();
  }

  /** Starts the probe of every due ban not being probed already; resolves when those probes have ended. */
  async probeDueBans(now = Date.now()): Promise<void> {
    let due: Ban[];
    try {
      due = (await this.store.bans(now)).filter((b) => b.reason !== 'backoff' && b.nextProbeAt <= now && !this.probing.has(banField(b)));
    } catch (e) {
      this.logger.warn(`reading the bans to probe failed: ${(e as Error).message}`);
      return;
    }
    await Promise.all(due.map((b) => this.probeOne(b)));
  }

  private async probeOne(ban: Ban): Promise<void> {
    const field = banField(ban);
    this.probing.add(field);
    try {
      await this.probeBan(ban);
    } catch (e) {
      this.logger.warn(`probing the ban on channel ${ban.channelId} ${ban.model ?? `key ${ban.keyIndex}`} failed: ${(e as Error).message}`);
    } finally {
      this.probing.delete(field);
    }
  }

  private async probeBan(ban: Ban): Promise<void> {
    const channel = await this.channels.withKeys(ban.channelId);
    if (!channel || !channel.autoBan) {
      // Gone, or its autoBan was switched off after the ban was set: nothing keeps it banned.
      const target = ban.keyIndex !== undefined ? { channelId: ban.channelId, keyIndex: ban.keyIndex } : { channelId: ban.channelId, model: ban.model! };
      await this.store.liftBan(target);
      this.bus.emit(Subjects.RouterBansChanged, { set: [], lifted: [target] });
      return;
    }
    const model = ban.model ?? ChannelProber.probeModel(channel);
    if (!model) return;
    const result = await this.prober.probe(channel, model, ban.keyIndex);
    const target = ban.keyIndex !== undefined ? { channelId: ban.channelId, keyIndex: ban.keyIndex } : { channelId: ban.channelId, model: ban.model! };
    if (result.ok) {
      await this.store.liftBan(target);
      this.logger.log(`lifted the ban on channel ${ban.channelId} ${ban.model ?? `key ${ban.keyIndex}`}: probe answered in ${result.responseTimeMs} ms`);
      this.bus.emit(Subjects.RouterBansChanged, { set: [], lifted: [target] });
    } else {
      const now = Date.now();
      const renewed: Ban = {
        ...ban,
        until: ban.reason === 'auth' ? ban.until : now + jittered(this.config.BAN_DURATION_MS),
        nextProbeAt: now + this.config.BAN_PROBE_INTERVAL_MS,
        detail: result.error ?? `status ${result.status}`,
      };
      await this.store.setBan(renewed);
      this.bus.emit(Subjects.RouterBansChanged, { set: [renewed], lifted: [] });
    }
  }

  async checkAll(): Promise<void> {
    const channels = await this.channels.enabledWithKeys();
    for (const c of channels) {
      const model = ChannelProber.probeModel(c);
      if (!model) continue;
      const r = await this.prober.probe(c, model);
      await this.channels.recordCheck(c.id, r.ok ? r.responseTimeMs : null, new Date());
    }
  }
}
