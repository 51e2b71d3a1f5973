import { LuaScript, REDIS_OUTAGE_OPTIONS, failFastOnceConnected } from '@switchboard/limits';
import { Redis, type RedisOptions } from 'ioredis';
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

const RECORD = new LuaScript('health-record.lua', __dirname);

/** Redis keys of channel health; one hash tag so the script runs on Redis Cluster too. */
export const HealthKeys = {
  window: (prefix: string, field: string) => `${prefix}:{health}:w:${field}`,
  bans: (prefix: string) => `${prefix}:{health}:bans`,
};

/** Cluster HealthStore: every gateway replica and the router share windows and bans. One script per attempt. */
export class RedisHealthStore implements HealthStore {
  constructor(
    private readonly redis: Redis,
    private readonly policy: BanPolicy = DEFAULT_BAN_POLICY,
    private readonly prefix = 'sb',
    private readonly ownsClient = false,
  ) {}

  /** `redis`: connection options beyond the URL (TLS CA). Fails fast while Redis is away (callers log and carry on: health is advisory on the hot path). */
  static fromUrl(url: string, policy?: BanPolicy, redis: RedisOptions = {}): RedisHealthStore {
    return new RedisHealthStore(failFastOnceConnected(new Redis(url, { ...REDIS_OUTAGE_OPTIONS, enableAutoPipelining: true, ...redis })), policy, 'sb', true);
  }

  async record(o: Outcome): Promise<Ban[]> {
    const now = o.nowMs ?? Date.now();
    const targets: BanTarget[] = [{ channelId: o.channelId, model: o.model }];
    if (o.multiKey) targets.push({ channelId: o.channelId, keyIndex: o.keyIndex });
    const keys = [
      HealthKeys.window(this.prefix, `c${o.channelId}`),
      HealthKeys.bans(this.prefix),
      ...targets.map((t) => HealthKeys.window(this.prefix, banField(t))),
    ];
    const args: (string | number)[] = [
      Math.floor(now / 1000),
      o.ok ? 1 : 0,
      Math.ceil(this.policy.windowMs / 1000),
      this.policy.minRequests,
      this.policy.errorRate,
      now,
      o.mayBan === false ? 0 : 1,
    ];
    for (const t of targets) {
      const ban: Ban = { ...t, reason: 'error_rate', until: now + jittered(this.policy.banMs), nextProbeAt: now + this.policy.probeIntervalMs };
      args.push(banField(t), JSON.stringify(ban));
    }
    const reply = (await RECORD.run(this.redis, keys, args)) as string[];
    return reply.map((j) => JSON.parse(j) as Ban);
  }

  async recordSuccesses(batch: SuccessCount[]): Promise<void> {
    if (!batch.length) return;
    const ttl = Math.ceil(this.policy.windowMs / 1000) * 2;
    const p = this.redis.pipeline();
    for (const o of batch) {
      const sec = Math.floor((o.nowMs ?? Date.now()) / 1000);
      const fields = [`c${o.channelId}`, banField({ channelId: o.channelId, model: o.model })];
      if (o.multiKey) fields.push(banField({ channelId: o.channelId, keyIndex: o.keyIndex }));
      for (const f of fields) {
        const key = HealthKeys.window(this.prefix, f);
        p.hincrby(key, `${sec}:r`, o.count).expire(key, ttl);
      }
    }
    await p.exec();
  }

  async setBan(ban: Ban): Promise<void> {
    await this.redis.hset(HealthKeys.bans(this.prefix), banField(ban), JSON.stringify(ban));
  }

  async liftBan(target: BanTarget): Promise<boolean> {
    const field = banField(target);
    const [removed] = (await this.redis.multi().hdel(HealthKeys.bans(this.prefix), field).del(HealthKeys.window(this.prefix, field)).exec()) ?? [[null, 0]];
    return Number(removed?.[1] ?? 0) > 0;
  }

  async bans(nowMs = Date.now()): Promise<Ban[]> {
    const all = await this.redis.hgetall(HealthKeys.bans(this.prefix));
    const out: Ban[] = [];
    const expired: string[] = [];
    for (const [field, json] of Object.entries(all)) {
      const b = JSON.parse(json) as Ban;
      if (b.until > nowMs) out.push(b);
      else expired.push(field);
    }
    if (expired.length) await this.redis.hdel(HealthKeys.bans(this.prefix), ...expired);
    return out;
  }

  async channelWindow(channelId: number, nowMs = Date.now()): Promise<WindowStats> {
    const all = await this.redis.hgetall(HealthKeys.window(this.prefix, `c${channelId}`));
    const since = Math.floor(nowMs / 1000) - Math.ceil(this.policy.windowMs / 1000);
    let requests = 0;
    let errors = 0;
    for (const [field, v] of Object.entries(all)) {
      const [s, kind] = field.split(':');
      if (Number(s) <= since) continue;
      if (kind === 'r') requests += Number(v);
      else errors += Number(v);
    }
    return { requests, errors };
  }

  async close(): Promise<void> {
    if (this.ownsClient) await this.redis.quit().catch(() => undefined);
  }
}
