import { MemoryLimitStore } from './memory-limit.store';
import type { LimitStore } from './limit-store.types';
import { RedisLimitStore } from './redis-limit.store';

/** Nest injection token for the process' LimitStore. */
export const LIMIT_STORE = Symbol('LIMIT_STORE');

/** REDIS_URL set (cluster mode) → Redis, shared by every gateway replica; unset (standalone) → in memory. */
export function createLimitStore(redisUrl: string | undefined | null): LimitStore {
  return redisUrl ? RedisLimitStore.fromUrl(redisUrl) : new MemoryLimitStore();
}
