import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { CredentialError } from '../provider.types';
import type { CredentialStateStore, Sealer } from './credential-state';
import { TOKEN_RENEW_BEFORE_MS, type MintedToken, type TokenCache } from './token-cache';

/** The commands used; ioredis' Redis provides them. */
export interface TokenRedisClient {
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<unknown>;
  set(key: string, value: string, px: 'PX', ms: number): Promise<unknown>;
  set(key: string, value: string, px: 'PX', ms: number, nx: 'NX'): Promise<unknown>;
  eval(script: string, numKeys: number, ...keysAndArgs: (string | number)[]): Promise<unknown>;
}

/** The one place these keys are spelled (per credential id, e.g. `kiro:<sha256 of its refresh token>`). */
export const credentialKeys = (id: string, prefix = 'sb') => ({
  token: `${prefix}:cred:token:${id}`,
  lock: `${prefix}:cred:lock:${id}`,
  failure: `${prefix}:cred:fail:${id}`,
  state: `${prefix}:cred:state:${id}`,
});

const RELEASE = fs.readFileSync(path.join(__dirname, 'token-release.lua'), 'utf8');

export interface RedisTokenCacheOptions {
  /** how long a replica may hold the refresh lock (a refresh that hangs longer lets another try) */
  lockMs?: number;
  /** how often a waiting replica looks for the token the lock holder stores */
  pollMs?: number;
  /** how long a failed refresh is answered from Redis to every waiter instead of being retried by each */
  failureMs?: number;
  now?: () => number;
}

interface Held {
  value: string;
  expiresAt: number;
  /** the Redis value it came from: what an invalidate may delete */
  raw: string;
}

/**
 * Cluster mode: every gateway replica (and the router's prober) shares each credential's token through Redis, and
 * only one of them refreshes it at a time: the one that takes the lock (SET NX PX) mints and stores the token sealed
 * with the SecretBox; the others poll until it is there, or until the lock holder stored its failure (a dead refresh
 * token is then one refresh, not one per waiter). Within a replica concurrent callers share one wait. Rotated
 * refresh tokens live here too, without expiry (`write`/`read`).
 */
export class RedisTokenCache implements TokenCache, CredentialStateStore {
  private readonly local = new Map<string, Held>();
  private readonly inflight = new Map<string, Promise<Held>>();
  /** a token the upstream refused, by credential, until Redis no longer holds it */
  private readonly rejected = new Map<string, string>();
  private readonly lockMs: number;
  private readonly pollMs: number;
  private readonly failureMs: number;
  private readonly now: () => number;

  constructor(
    private readonly redis: TokenRedisClient,
    private readonly box: Sealer,
    opts: RedisTokenCacheOptions = {},
  ) {
    this.lockMs = opts.lockMs ?? 30_000;
    this.pollMs = opts.pollMs ?? 50;
    this.failureMs = opts.failureMs ?? 5_000;
    this.now = opts.now ?? Date.now;
  }

  async get(key: string, mint: () => Promise<MintedToken>): Promise<string> {
    const held = this.local.get(key);
    if (held && this.fresh(held.expiresAt)) return held.value;
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = this.shared(key, mint).finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
    }
    const token = await pending;
    this.local.set(key, token);
    return token.value;
  }

  invalidate(key: string): void {
    const held = this.local.get(key);
    this.local.delete(key);
    if (!held) return;
    this.rejected.set(key, held.raw);
    void this.redis
      .eval(RELEASE, 1, credentialKeys(key).token, held.raw)
      .catch(() => undefined)
      .finally(() => {
        if (this.rejected.get(key) === held.raw) this.rejected.delete(key);
      });
  }

  async read(key: string): Promise<string | null> {
    const sealed = await this.redis.get(credentialKeys(key).state);
    if (!sealed) return null;
    try {
      return this.box.decrypt(sealed);
    } catch {
      return null;
    }
  }

  async write(key: string, value: string): Promise<void> {
    await this.redis.set(credentialKeys(key).state, this.box.encrypt(value));
  }

  private fresh(expiresAt: number): boolean {
    return expiresAt - TOKEN_RENEW_BEFORE_MS > this.now();
  }

  /** The token in Redis when it is fresh and not the one just refused. */
  private async stored(key: string): Promise<Held | null> {
    const raw = await this.redis.get(credentialKeys(key).token);
    if (!raw || raw === this.rejected.get(key)) return null;
    try {
      const t = JSON.parse(this.box.decrypt(raw)) as { v?: unknown; e?: unknown };
      if (typeof t.v !== 'string' || typeof t.e !== 'number' || !this.fresh(t.e)) return null;
      return { value: t.v, expiresAt: t.e, raw };
    } catch {
      return null;
    }
  }

  private async shared(key: string, mint: () => Promise<MintedToken>): Promise<Held> {
    const keys = credentialKeys(key);
    const deadline = this.now() + this.lockMs + 5_000;
    const owner = randomUUID();
    for (;;) {
      const found = await this.stored(key);
      if (found) return found;
      const failed = await this.redis.get(keys.failure);
      if (failed) throw failureOf(failed);
      if ((await this.redis.set(keys.lock, owner, 'PX', this.lockMs, 'NX')) === 'OK') {
        try {
          // Another replica may have stored a token between our look and our lock.
          const again = await this.stored(key);
          if (again) return again;
          let token: MintedToken;
          try {
            token = await mint();
          } catch (e) {
            const status = e instanceof CredentialError ? e.status : 502;
            await this.redis.set(keys.failure, JSON.stringify({ s: status, m: (e as Error).message }), 'PX', this.failureMs).catch(() => undefined);
            throw e;
          }
          const raw = this.box.encrypt(JSON.stringify({ v: token.value, e: token.expiresAt }));
          const ttl = Math.max(1, Math.floor(token.expiresAt - this.now()));
          await this.redis.set(keys.token, raw, 'PX', ttl);
          return { value: token.value, expiresAt: token.expiresAt, raw };
        } finally {
          await this.redis.eval(RELEASE, 1, keys.lock, owner).catch(() => undefined);
        }
      }
      if (this.now() > deadline) throw new CredentialError('timed out waiting for another replica to refresh the token', 503);
      await new Promise((r) => setTimeout(r, this.pollMs));
    }
  }
}

function failureOf(raw: string): CredentialError {
  try {
    const f = JSON.parse(raw) as { s?: unknown; m?: unknown };
    return new CredentialError(typeof f.m === 'string' ? f.m : 'token refresh failed', typeof f.s === 'number' ? f.s : 502);
  } catch {
    return new CredentialError('token refresh failed', 502);
  }
}
