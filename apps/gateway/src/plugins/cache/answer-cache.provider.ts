import type { OnModuleDestroy } from '@nestjs/common';
import { redisConnectionOptions, type AppConfig } from '@switchboard/config';
import type { AnswerCache } from './answer-cache';
import { cachePlugin } from './cache.plugin';
import { MemoryAnswerCache } from './memory-answer.cache';
import { RedisAnswerCache } from './redis-answer.cache';

export const ANSWER_CACHE = Symbol('ANSWER_CACHE');

/**
 * The cache plugin's store, given to it when the gateway starts: Redis when the gateway replicas share one (cluster),
 * else this process's memory (a standalone relay worker keeps its own).
 */
export function answerCacheFor(c: AppConfig): AnswerCache & OnModuleDestroy {
  const store: AnswerCache = c.REDIS_URL ? RedisAnswerCache.fromUrl(c.REDIS_URL, redisConnectionOptions(c)) : new MemoryAnswerCache();
  cachePlugin.use(store);
  return Object.assign(store, { onModuleDestroy: async () => store.close?.() });
}
