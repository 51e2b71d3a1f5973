const HOUR_MS = 3_600_000;

export interface AlertGateOptions {
  /** the same event about the same subject passes once within this window (0: always) */
  dedupWindowMs: number;
  /** deliveries one channel takes per rolling hour */
  perChannelPerHour: number;
}

/**
 * What keeps alerts from flooding a person: an event about a subject passes once per dedup window, and each channel
 * takes at most so many alerts per rolling hour. Shared by the router replicas through Redis when there is one
 * (each replica runs the error-rate check), else in memory.
 */
export interface AlertGate {
  /** True the first time `event` about `subject` is seen within the window (and starts the window). */
  fresh(event: string, subject: string): Promise<boolean>;
  /** Takes one delivery of the channel's hourly allowance; false when it is used up. */
  allow(channelId: number): Promise<boolean>;
  close(): Promise<void>;
}

export const HOUR = HOUR_MS;

/** The gate of one process (standalone, or a router without REDIS_URL). */
export class MemoryAlertGate implements AlertGate {
  private readonly lastSent = new Map<string, number>();
  private readonly sentAt = new Map<number, number[]>();

  constructor(
    private readonly options: AlertGateOptions,
    private readonly now: () => number = Date.now,
  ) {}

  async fresh(event: string, subject: string): Promise<boolean> {
    return this.freshNow(event, subject);
  }

  freshNow(event: string, subject: string): boolean {
    const now = this.now();
    const key = `${event}\u0000${subject}`;
    const last = this.lastSent.get(key);
    if (last !== undefined && now - last < this.options.dedupWindowMs) return false;
    this.lastSent.set(key, now);
    if (this.lastSent.size > 10_000) this.prune(now);
    return true;
  }

  async allow(channelId: number): Promise<boolean> {
    return this.allowNow(channelId);
  }

  allowNow(channelId: number): boolean {
    const now = this.now();
    const recent = (this.sentAt.get(channelId) ?? []).filter((t) => now - t < HOUR_MS);
    if (recent.length >= this.options.perChannelPerHour) {
      this.sentAt.set(channelId, recent);
      return false;
    }
    recent.push(now);
    this.sentAt.set(channelId, recent);
    return true;
  }

  async close(): Promise<void> {}

  private prune(now: number): void {
    for (const [k, t] of this.lastSent) if (now - t >= this.options.dedupWindowMs) this.lastSent.delete(k);
  }
}
