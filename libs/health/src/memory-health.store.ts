import {
  DEFAULT_BAN_POLICY,
  banField,
  jittered,
  type Ban,
  type BanPolicy,
  type BanTarget,
  type HealthStore,
  type Outcome,
  type SuccessCount,
  type WindowStats,
} from './health.types';

/** 1-second buckets: second → [requests, errors]. */
class Window {
  private readonly buckets = new Map<number, [number, number]>();

  add(sec: number, ok: boolean, n = 1): void {
    const b = this.buckets.get(sec) ?? [0, 0];
    b[0] += n;
    if (!ok) b[1] += n;
    this.buckets.set(sec, b);
  }

  stats(nowSec: number, windowSec: number): WindowStats {
    let requests = 0;
    let errors = 0;
    for (const [sec, [r, e]] of this.buckets) {
      if (sec <= nowSec - windowSec) this.buckets.delete(sec);
      else {
        requests += r;
        errors += e;
      }
    }
    return { requests, errors };
  }
}

/** Standalone HealthStore: the same semantics as the Redis one, in this process. */
export class MemoryHealthStore implements HealthStore {
  private readonly windows = new Map<string, Window>();
  private readonly banMap = new Map<string, Ban>();

  constructor(private readonly policy: BanPolicy = DEFAULT_BAN_POLICY) {}

  private window(key: string): Window {
    let w = this.windows.get(key);
    if (!w) this.windows.set(key, (w = new Window()));
    return w;
  }

  async record(o: Outcome): Promise<Ban[]> {
    const now = o.nowMs ?? Date.now();
    const sec = Math.floor(now / 1000);
    const windowSec = Math.ceil(this.policy.windowMs / 1000);
    this.window(`c${o.channelId}`).add(sec, o.ok);
    const targets: BanTarget[] = [{ channelId: o.channelId, model: o.model }];
    if (o.multiKey) targets.push({ channelId: o.channelId, keyIndex: o.keyIndex });
    const set: Ban[] = [];
    for (const t of targets) {
      const field = banField(t);
      const w = this.window(field);
      w.add(sec, o.ok);
      if (o.ok || o.mayBan === false) continue;
      const s = w.stats(sec, windowSec);
      const existing = this.banMap.get(field);
      if (existing && existing.until > now) continue;
      if (s.requests >= this.policy.minRequests && s.errors / s.requests >= this.policy.errorRate) {
        const ban: Ban = { ...t, reason: 'error_rate', until: now + jittered(this.policy.banMs), nextProbeAt: now + this.policy.probeIntervalMs };
        this.banMap.set(field, ban);
        set.push(ban);
      }
    }
    return set;
  }

  async recordSuccesses(batch: SuccessCount[]): Promise<void> {
    for (const o of batch) {
      const sec = Math.floor((o.nowMs ?? Date.now()) / 1000);
      this.window(`c${o.channelId}`).add(sec, true, o.count);
      this.window(banField({ channelId: o.channelId, model: o.model })).add(sec, true, o.count);
      if (o.multiKey) this.window(banField({ channelId: o.channelId, keyIndex: o.keyIndex })).add(sec, true, o.count);
    }
  }

  async setBan(ban: Ban): Promise<void> {
    this.banMap.set(banField(ban), ban);
  }

  async liftBan(target: BanTarget): Promise<boolean> {
    const field = banField(target);
    // A lifted pair starts from a clean window: the old failures must not re-ban it on the next error.
    this.windows.delete(field);
    return this.banMap.delete(field);
  }

  async bans(nowMs = Date.now()): Promise<Ban[]> {
    const out: Ban[] = [];
    for (const [k, b] of this.banMap) {
      if (b.until <= nowMs) this.banMap.delete(k);
      else out.push(b);
    }
    return out;
  }

  async channelWindow(channelId: number, nowMs = Date.now()): Promise<WindowStats> {
    return this.window(`c${channelId}`).stats(Math.floor(nowMs / 1000), Math.ceil(this.policy.windowMs / 1000));
  }

  async close(): Promise<void> {
    /* nothing */
  }
}
