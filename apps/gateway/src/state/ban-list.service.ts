import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Subjects, type BansChangedEvent } from '@switchboard/contracts';
import { HEALTH_STORE, banField, type Ban, type BanTarget, type HealthStore, type Outcome } from '@switchboard/health';
import { Bus } from '@switchboard/messaging';
import { LogThrottle, processMetrics } from '@switchboard/observability';

const SYNC_MS = 2_000;
const EWMA_ALPHA = 0.2;
const LATENCY_CUSHION_MS = 250;

/**
 * Bans as this replica sees them: applied at once from `router.bans.changed.v1` (set by any replica or lifted by
 * the router's probes) and re-read from the shared health store every 2 s in case an event was missed. Also keeps
 * this replica's latency EWMA per channel, which scales selection weights.
 */
@Injectable()
export class BanListService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(BanListService.name);
  /** The shared store away (Redis down) fails every attempt's record: one line per interval, not one per request. */
  private readonly storeFailures = new LogThrottle((line) => this.logger.warn(line));
  private bans = new Map<string, Ban>();
  private readonly latency = new Map<number, number>();
  private readonly recentErrors = new Map<number, { ok: number; err: number; since: number }>();
  private timer?: NodeJS.Timeout;
  private flushTimer?: NodeJS.Timeout;
  /** successes not flushed yet, by channel, model, key and multiKey (joined by NUL: no model name holds one) */
  private readonly pendingOk = new Map<string, { channelId: number; model: string; keyIndex: number; multiKey: boolean; count: number }>();

  constructor(
    @Inject(HEALTH_STORE) private readonly store: HealthStore,
    private readonly bus: Bus,
  ) {}

  onApplicationBootstrap(): void {
    void this.sync();
    this.timer = setInterval(() => void this.sync(), SYNC_MS);
    this.timer.unref();
    this.flushTimer = setInterval(() => void this.flushSuccesses(), 250);
    this.flushTimer.unref();
  }

  /** After the HTTP server closed (Nest calls shutdown hooks last): in-flight streams still need these. */
  private async flushSuccesses(): Promise<void> {
    if (!this.pendingOk.size) return;
    const batch = [...this.pendingOk.values()];
    this.pendingOk.clear();
    await this.store.recordSuccesses(batch).catch((e: unknown) => this.storeFailures.log(`health flush failed: ${(e as Error).message}`));
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    clearInterval(this.flushTimer);
    await this.flushSuccesses();
    await this.store.close();
  }

  private async sync(): Promise<void> {
    try {
      const list = await this.store.bans();
      this.bans = new Map(list.map((b) => [banField(b), b]));
      processMetrics().bansActive.set(this.bans.size);
    } catch (e) {
      this.storeFailures.log(`ban sync failed: ${(e as Error).message}`);
    }
  }

  apply(e: BansChangedEvent): void {
    for (const t of e.lifted) this.bans.delete(banField(t as BanTarget));
    for (const b of e.set) this.bans.set(banField(b), b);
    processMetrics().bansActive.set(this.bans.size);
  }

  private active(field: string, now: number): boolean {
    const b = this.bans.get(field);
    return !!b && b.until > now;
  }

  isBanned(channelId: number, model: string, now = Date.now()): boolean {
    return this.active(`${channelId}|${model}`, now);
  }

  /** The ban in force on a (channel, model) pair, if any. */
  banOf(channelId: number, model: string, now = Date.now()): Ban | undefined {
    const b = this.bans.get(`${channelId}|${model}`);
    return b && b.until > now ? b : undefined;
  }

  isKeyBanned(channelId: number, keyIndex: number, now = Date.now()): boolean {
    return this.active(`${channelId}#${keyIndex}`, now);
  }

  bansOf(channelId: number): Ban[] {
    return [...this.bans.values()].filter((b) => b.channelId === channelId);
  }

  /** 0..1 multiplier for selection weight: recent local error rate and latency relative to the best channel. */
  health(channelId: number, bestLatencyMs: number): number {
    const e = this.recentErrors.get(channelId);
    const errFactor = e && e.ok + e.err >= 3 ? 1 - e.err / (e.ok + e.err) : 1;
    const lat = this.latency.get(channelId);
    // A 250 ms cushion: jitter and one-off stalls (GC, a busy event loop) must not skew configured weights — the
    // EWMA of a low-weight channel decays only with its own (fewer) samples, so a single spike would linger and
    // starve it. A channel seconds slower than the best one still loses share (down to a fifth).
    const latFactor =
      lat !== undefined && Number.isFinite(bestLatencyMs) ? Math.max(0.2, Math.min(1, (bestLatencyMs + LATENCY_CUSHION_MS) / (lat + LATENCY_CUSHION_MS))) : 1;
    return Math.max(0.02, errFactor) * latFactor;
  }

  latencyOf(channelId: number): number | undefined {
    return this.latency.get(channelId);
  }

  /** Counts an attempt locally and in the shared store; a ban it triggers is applied here and broadcast. */
  record(o: Outcome, latencyMs: number | null): void {
    if (o.ok && latencyMs !== null) {
      const prev = this.latency.get(o.channelId);
      this.latency.set(o.channelId, prev === undefined ? latencyMs : prev + EWMA_ALPHA * (latencyMs - prev));
    }
    const now = Date.now();
    let e = this.recentErrors.get(o.channelId);
    if (!e || now - e.since > 60_000) this.recentErrors.set(o.channelId, (e = { ok: 0, err: 0, since: now }));
    if (o.ok) e.ok++;
    else e.err++;
    if (o.ok) {
      // Successes cannot set a ban: counted here and flushed in one pipeline every 250 ms (one Redis write per
      // request was a third of the cluster gateway's CPU). Failures go to the store at once: they may ban.
      const k = `${o.channelId}\0${o.model}\0${o.keyIndex}\0${o.multiKey}`;
      const pending = this.pendingOk.get(k);
      if (pending) pending.count++;
      else this.pendingOk.set(k, { channelId: o.channelId, model: o.model, keyIndex: o.keyIndex, multiKey: o.multiKey, count: 1 });
      return;
    }
    this.store.record(o).then(
      (set) => {
        if (set.length) this.announce(set, []);
      },
      (err: unknown) => this.storeFailures.log(`health record failed: ${(err as Error).message}`),
    );
  }

  /** A ban decided by the relay itself (back-off after 429/503, a key the upstream refused). */
  ban(ban: Ban): void {
    this.store.setBan(ban).then(
      () => this.announce([ban], []),
      (err: unknown) => this.storeFailures.log(`setting a ban failed: ${(err as Error).message}`),
    );
    this.apply({ set: [ban], lifted: [] });
  }

  private announce(set: Ban[], lifted: BanTarget[]): void {
    for (const b of set) {
      processMetrics().bans.inc({ channel: String(b.channelId) });
      this.logger.warn(
        `banned channel ${b.channelId} ${b.model !== undefined ? `model ${b.model}` : `key ${b.keyIndex}`} (${b.reason}) until ${new Date(b.until).toISOString()}`,
      );
    }
    this.apply({ set, lifted });
    this.bus.emit(Subjects.RouterBansChanged, { set, lifted });
  }
}
