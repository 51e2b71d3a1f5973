import type { OnModuleDestroy } from '@nestjs/common';
import { redisConnectionOptions, type AppConfig } from '@switchboard/config';
import { RelayTargets, primaryLink, remoteTarget } from '@switchboard/messaging';
import type { AnswerCache } from './answer-cache';
import { cachePlugin } from './cache.plugin';
import { MemoryAnswerCache } from './memory-answer.cache';
import { RedisAnswerCache } from './redis-answer.cache';
import { RemoteAnswerCache } from './remote-answer.cache';

export const ANSWER_CACHE = Symbol('ANSWER_CACHE');

/**
 * The cache plugin's store, given to it when the gateway starts: Redis when the gateway replicas share one (cluster),
 * else, in a standalone relay worker (GATEWAY_WORKERS > 1), the primary's memory over IPC, else this process's memory.
 */
export function answerCacheFor(c: AppConfig): AnswerCache & OnModuleDestroy {
  const link = c.REDIS_URL ? undefined : primaryLink();
  const store: AnswerCache = c.REDIS_URL
    ? RedisAnswerCache.fromUrl(c.REDIS_URL, redisConnectionOptions(c))
    : link
      ? new RemoteAnswerCache(remoteTarget(link, RelayTargets.answers))
      : new MemoryAnswerCache();
  cachePlugin.use(store);
  return Object.assign(store, { onModuleDestroy: async () => store.close?.() });
}
