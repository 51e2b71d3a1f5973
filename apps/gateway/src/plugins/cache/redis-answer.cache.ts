import { createHash } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { LogThrottle } from '@switchboard/observability';
import { REDIS_OUTAGE_OPTIONS, failFastOnceConnected } from '@switchboard/limits';
import { Redis, type RedisOptions } from 'ioredis';
import { answerBytes, type AnswerCache, type CachedAnswer, type CacheLimits } from './answer-cache';

/** The one place the cache's keys are spelled: each answer a string with a TTL, and the index that bounds their number. */
export const answerKey = (key: string, prefix = 'sb'): string => `${prefix}:cache:answer:${key}`;
export const answerIndexKey = (prefix = 'sb'): string => `${prefix}:cache:answers`;

/**
 * Stores an answer with its TTL and indexes it by expiry; drops the expired from the index, then the entries past
 * maxEntries that expire first (the oldest with one TTL), so the cache holds at most maxEntries answers.
 * KEYS: answer, index. ARGV: value, ttl ms, now ms, maxEntries.
 */
const SET_SCRIPT = `
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('ZADD', KEYS[2], tonumber(ARGV[3]) + tonumber(ARGV[2]), KEYS[1])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[3])
local over = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[4])
if over > 0 then
  local old = redis.call('ZRANGE', KEYS[2], 0, over - 1)
  redis.call('ZREMRANGEBYRANK', KEYS[2], 0, over - 1)
  for _, k in ipairs(old) do redis.call('DEL', k) end
end
redis.call('PEXPIRE', KEYS[2], ARGV[2])
return over
`;
const SET_SHA = createHash('sha1').update(SET_SCRIPT).digest('hex');

/** Commands the store uses; ioredis' Redis provides them. */
export interface CacheRedisClient {
  get(key: string): Promise<string | null>;
  evalsha(sha: string, numKeys: number, ...keysAndArgs: (string | number)[]): Promise<unknown>;
  eval(script: string, numKeys: number, ...keysAndArgs: (string | number)[]): Promise<unknown>;
  quit(): Promise<unknown>;
  disconnect(): void;
  readonly status: string;
}

/**
 * Cluster mode: answers in the Redis the gateway replicas share, so a hit made through one is served by all; each
 * expires by Redis (ttlSeconds). While Redis is away the cache answers nothing and stores nothing (one log line per
 * interval): requests go upstream as without it.
 */
export class RedisAnswerCache implements AnswerCache {
  private readonly failures = new LogThrottle((line) => new Logger('AnswerCache').warn(line));

  constructor(
    private readonly client: CacheRedisClient,
    private readonly ownsClient = false,
  ) {}

  static fromUrl(url: string, redis: RedisOptions = {}): RedisAnswerCache {
    return new RedisAnswerCache(failFastOnceConnected(new Redis(url, { ...REDIS_OUTAGE_OPTIONS, ...redis })), true);
  }

  async get(key: string): Promise<CachedAnswer | null> {
    try {
      const raw = await this.client.get(answerKey(key));
      return raw === null ? null : readAnswer(raw);
    } catch (e) {
      this.failures.log(`cache read failed: ${(e as Error).message}`);
      return null;
    }
  }

  async set(key: string, answer: CachedAnswer, limits: CacheLimits): Promise<void> {
    if (answerBytes(answer) > limits.maxEntryBytes) return;
    const args = [answerKey(key), answerIndexKey(), JSON.stringify(answer), limits.ttlSeconds * 1000, Date.now(), limits.maxEntries];
    try {
      await this.client.evalsha(SET_SHA, 2, ...args).catch((e: unknown) => {
        if (!(e instanceof Error) || !e.message.startsWith('NOSCRIPT')) throw e;
        return this.client.eval(SET_SCRIPT, 2, ...args);
      });
    } catch (e) {
      this.failures.log(`cache write failed: ${(e as Error).message}`);
    }
  }

  async close(): Promise<void> {
    if (!this.ownsClient) return;
    // a connection that never came up has nothing to flush: QUIT would wait for it
    if (this.client.status === 'ready') await this.client.quit().catch(() => undefined);
    else this.client.disconnect();
  }
}

/** An answer as stored; anything else (a hand-edited key, another version's shape) is a miss. */
function readAnswer(raw: string): CachedAnswer | null {
  try {
    const a = JSON.parse(raw) as Partial<CachedAnswer>;
    if (typeof a.status !== 'number' || typeof a.contentType !== 'string' || typeof a.body !== 'string' || !a.usage) return null;
    return { status: a.status, contentType: a.contentType, body: a.body, usage: a.usage, units: a.units ?? null };
  } catch {
    return null;
  }
}
