import path from 'node:path';
import { FileCredentialStateStore, MemoryCredentialStateStore, type CredentialStateStore, type Sealer } from './credential-state';
import { RedisTokenCache, type TokenRedisClient } from './redis-token-cache';
import { MemoryTokenCache, type TokenCache } from './token-cache';

/**
 * What credential hooks may use beyond the request: an HTTP client (a test fake or proxy replaces it), a token cache
 * that mints each credential's token once however many requests need it, and where learned credential state (rotated
 * refresh tokens) is kept. The gateway and the router each hold one (sharedProviderServices: the same one in one process).
 */
export interface ProviderServices {
  fetch: typeof fetch;
  tokens: TokenCache;
  /** absent: nothing learned is kept beyond the process (providers fall back to memory) */
  state?: CredentialStateStore;
}

export function defaultProviderServices(): ProviderServices {
  return { fetch: (input, init) => fetch(input, init), tokens: new MemoryTokenCache(), state: new MemoryCredentialStateStore() };
}

export interface SharedServicesOptions {
  /** cluster: tokens, refresh locks and rotated refresh tokens in this Redis (every replica and the router share them) */
  redis?: TokenRedisClient;
  /** standalone: rotated refresh tokens in `DATA_DIR/credential-state.json` */
  dataDir?: string;
  box: Sealer;
}

const shared = new Map<string, ProviderServices>();

/**
 * The services of this process for a deployment: with Redis, one cache across every replica; without, one per
 * DATA_DIR, so the standalone gateway and the router's prober (one process) never refresh the same token twice and
 * never retire each other's refresh tokens.
 */
export function sharedProviderServices(opts: SharedServicesOptions): ProviderServices {
  if (opts.redis) {
    const cache = new RedisTokenCache(opts.redis, opts.box);
    return { fetch: (input, init) => fetch(input, init), tokens: cache, state: cache };
  }
  const id = opts.dataDir ? path.resolve(opts.dataDir) : '';
  let services = shared.get(id);
  if (!services) {
    const state = opts.dataDir ? new FileCredentialStateStore(path.join(opts.dataDir, 'credential-state.json'), opts.box) : new MemoryCredentialStateStore();
    services = { fetch: (input, init) => fetch(input, init), tokens: new MemoryTokenCache(), state };
    shared.set(id, services);
  }
  return services;
}
