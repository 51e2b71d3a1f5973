import type { RedisOptions } from 'ioredis';
import { MemoryHealthStore } from './memory-health.store';
import { RedisHealthStore } from './redis-health.store';
import type { BanPolicy, HealthStore } from './health.types';

const memoryStores = new Map<string, MemoryHealthStore>();

/**
 * REDIS_URL → shared by every process of the cluster; unset → one in-memory store per process (standalone's
 * gateway and router live in the same process and must see the same bans).
 */
export function createHealthStore(redisUrl: string | undefined, policy?: BanPolicy, redis: RedisOptions = {}): HealthStore {
  if (redisUrl) return RedisHealthStore.fromUrl(redisUrl, policy, redis);
  const key = JSON.stringify(policy ?? {});
  let s = memoryStores.get(key);
  if (!s) memoryStores.set(key, (s = new MemoryHealthStore(policy)));
  return s;
}
