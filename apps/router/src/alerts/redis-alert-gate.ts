import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { LuaScript, REDIS_OUTAGE_OPTIONS, failFastOnceConnected } from '@switchboard/limits';
import { LogThrottle } from '@switchboard/observability';
import { Redis, type RedisOptions } from 'ioredis';
import { HOUR, MemoryAlertGate, type AlertGate, type AlertGateOptions } from './alert-gate';

const RATE_LIMIT = new LuaScript('alert-rate-limit.lua', __dirname);

/** The only place alert Redis keys are spelled. */
export const AlertKeys = {
  /** string, set for the dedup window: this event about this subject was delivered */
  sent: (prefix: string, event: string, subject: string) => `${prefix}:alerts:sent:${event}:${subject}`,
  /** zset, one hour of a channel's deliveries */
  channel: (prefix: string, channelId: number) => `${prefix}:alerts:ch:${channelId}`,
};

/**
 * The gate shared by every router replica (each runs the error-rate check, so each finds the same trouble). With Redis
 * away it falls back to this replica's own memory: an alert may then go out once per replica, never not at all.
 */
export class RedisAlertGate implements AlertGate {
  private readonly logger = new Logger(RedisAlertGate.name);
  private readonly failures = new LogThrottle((line) => this.logger.warn(line));
  private readonly local: MemoryAlertGate;

  constructor(
    private readonly redis: Redis,
    private readonly options: AlertGateOptions,
    private readonly now: () => number = Date.now,
    private readonly prefix = 'sb',
  ) {
    this.local = new MemoryAlertGate(options, now);
  }

  static fromUrl(url: string, options: AlertGateOptions, redis: RedisOptions = {}): RedisAlertGate {
    return new RedisAlertGate(failFastOnceConnected(new Redis(url, { ...REDIS_OUTAGE_OPTIONS, ...redis })), options);
  }

  async fresh(event: string, subject: string): Promise<boolean> {
    if (!this.options.dedupWindowMs) return true;
    try {
      return (await this.redis.set(AlertKeys.sent(this.prefix, event, subject), String(this.now()), 'PX', this.options.dedupWindowMs, 'NX')) === 'OK';
    } catch (e) {
      this.failures.log(`alert dedup in Redis failed, deduplicating in memory: ${(e as Error).message}`);
      return this.local.freshNow(event, subject);
    }
  }

  async allow(channelId: number): Promise<boolean> {
    try {
      const r = await RATE_LIMIT.run(this.redis, [AlertKeys.channel(this.prefix, channelId)], [this.now(), HOUR, this.options.perChannelPerHour, randomUUID()]);
      return r === 1;
    } catch (e) {
      this.failures.log(`alert rate limit in Redis failed, limiting in memory: ${(e as Error).message}`);
      return this.local.allowNow(channelId);
    }
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}
