import { redisConnectionOptions, type AppConfig } from '@switchboard/config';
import { RemoteHealthStore, banPolicyFrom, createHealthStore, type HealthStore } from '@switchboard/health';
import { RemoteLimitStore, createLimitStore, type LimitStore } from '@switchboard/limits';
import { RelayTargets, primaryLink, remoteTarget } from '@switchboard/messaging';
import { MemorySessionStore } from '../session/memory-session.store';
import { RedisSessionStore } from '../session/redis-session.store';
import { RemoteSessionStore } from '../session/remote-session.store';
import type { SessionStore } from '../session/session.store';

/*
 * Where the edge keeps its shared state: Redis when there is one (every replica and worker shares it); else, in a
 * standalone relay worker (GATEWAY_WORKERS > 1), the primary's in-memory stores over IPC; else this process's memory.
 */

export function limitStoreFor(c: AppConfig): LimitStore {
  const link = c.REDIS_URL ? undefined : primaryLink();
  return link ? new RemoteLimitStore(remoteTarget(link, RelayTargets.limits)) : createLimitStore(c.REDIS_URL, redisConnectionOptions(c));
}

export function healthStoreFor(c: AppConfig): HealthStore {
  const link = c.REDIS_URL ? undefined : primaryLink();
  return link ? new RemoteHealthStore(remoteTarget(link, RelayTargets.health)) : createHealthStore(c.REDIS_URL, banPolicyFrom(c), redisConnectionOptions(c));
}

export function sessionStoreFor(c: AppConfig): SessionStore {
  if (c.REDIS_URL) return RedisSessionStore.fromUrl(c.REDIS_URL, redisConnectionOptions(c));
  const link = primaryLink();
  return link ? new RemoteSessionStore(remoteTarget(link, RelayTargets.sessions)) : new MemorySessionStore();
}
