import type { RedisOptions } from 'ioredis';
import { MemoryLimitStore } from './memory-limit.store';
import type { LimitStore } from './limit-store.types';
import { RedisLimitStore } from './redis-limit.store';

/** Nest injection token for the process' LimitStore. */
export const LIMIT_STORE = Symbol('LIMIT_STORE');

let memoryStore: MemoryLimitStore | undefined;

/**
 * REDIS_URL set (cluster mode) → Redis, shared by every gateway replica (and billing's quota reconciliation); unset
 * (standalone) → one in-memory store per process, which the gateway and billing living in that process share.
 */
export function createLimitStore(redisUrl: string | undefined | null, redis: RedisOptions = {}): LimitStore {
  if (redisUrl) return RedisLimitStore.fromUrl(redisUrl, { redis });
  memoryStore ??= new MemoryLimitStore();
  return memoryStore;
}
