import { Redis, type Cluster, type RedisOptions } from 'ioredis';
import {
  BUCKET_MS,
  CONCURRENCY_RETRY_AFTER_MS,
  COUNTER_TTL_MS,
  LEASE_RECORD_TTL_MS,
  QUOTA_IDLE_TTL_MS,
  WINDOW_MS,
} from './limits.constants';
import { LimitKeys } from './limits.keys';
import { checkLease, checkRemaining, checkUsage, normaliseAcquire } from './limit-request.validator';
import type {
  AcquireRequest,
  AcquireResult,
  Lease,
  LimitRejectReason,
  LimitStore,
  ScopeRemaining,
  SettleResult,
  SettleUsage,
} from './limit-store.types';
import { LuaScript, type ScriptClient } from './lua-script.runner';

export interface RedisLimitStoreOptions {
  /** Key namespace (default 'sb'); see limits.keys.ts. */
  keyPrefix?: string;
  /** Clock override (tests). Default: Redis server TIME inside the scripts, so every replica shares one clock. */
  now?: () => number;
  /** close() also closes the client. Default false: whoever created the client closes it. */
  ownsClient?: boolean;
}

/** Commands beyond the scripts; ioredis' Redis and Cluster both provide them. */
interface LimitRedisClient extends ScriptClient {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, px: 'PX', ms: number): Promise<unknown>;
  del(key: string): Promise<number>;
  quit(): Promise<unknown>;
}

const ACQUIRE = new LuaScript('limits-acquire.lua');
const SETTLE = new LuaScript('limits-settle.lua');
const REASONS: Record<number, LimitRejectReason> = { 1: 'rpm', 2: 'tpm', 3: 'concurrency', 4: 'quota' };

function asArray(reply: unknown): unknown[] {
  if (!Array.isArray(reply)) throw new Error(`unexpected limit script reply: ${String(reply)}`);
  return reply;
}

function num(value: unknown): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' || typeof value === 'bigint' ? Number(value) : NaN;
  if (!Number.isFinite(n)) throw new Error(`unexpected number in limit script reply: ${String(value)}`);
  return n;
}

/**
 * Cluster-mode LimitStore shared by every gateway replica: each call is ONE script (one EVALSHA round trip), so a
 * check-and-reserve can never interleave with another replica's.
 */
export class RedisLimitStore implements LimitStore {
  private readonly client: LimitRedisClient;
  private readonly keys: LimitKeys;
  private readonly now: (() => number) | undefined;
  private readonly ownsClient: boolean;

  constructor(client: Redis | Cluster, options: RedisLimitStoreOptions = {}) {
    this.client = client;
    this.keys = new LimitKeys(options.keyPrefix);
    this.now = options.now;
    this.ownsClient = options.ownsClient ?? false;
  }

  /** A store with its own connection (closed by close()). */
  static fromUrl(url: string, options: Omit<RedisLimitStoreOptions, 'ownsClient'> & { redis?: RedisOptions } = {}): RedisLimitStore {
    const { redis, ...storeOptions } = options;
    // Auto-pipelining: concurrent requests' scripts share one socket write (the profile showed writes dominating).
    return new RedisLimitStore(new Redis(url, { maxRetriesPerRequest: 2, enableAutoPipelining: true, ...redis }), { ...storeOptions, ownsClient: true });
  }

  async acquire(req: AcquireRequest): Promise<AcquireResult> {
    const r = normaliseAcquire(req);
    const keys = [this.keys.lease(r.requestId)];
    const args: (string | number)[] = [
      r.nowMs ?? this.now?.() ?? '',
      r.requestId,
      r.scopes.length,
      r.quota.length,
      r.estimatedTokens,
      r.reserveMicros,
      r.leaseTtlMs,
      BUCKET_MS,
      WINDOW_MS,
      COUNTER_TTL_MS,
      LEASE_RECORD_TTL_MS,
      QUOTA_IDLE_TTL_MS,
      CONCURRENCY_RETRY_AFTER_MS,
    ];
    for (const s of r.scopes) {
      keys.push(this.keys.rpm(s.key), this.keys.tpm(s.key), this.keys.concurrency(s.key));
      args.push(s.rpm ?? '', s.tpm ?? '', s.maxConcurrency ?? '');
    }
    for (const a of r.quota) {
      keys.push(this.keys.quota(a.key));
      args.push(a.initialRemainingMicros);
    }

    const reply = asArray(await ACQUIRE.run(this.client, keys, args));
    const status = num(reply[0]);
    if (status === -1) throw new Error(`limit lease already held for request ${r.requestId}`);
    if (status === 0) {
      const reason = REASONS[num(reply[1])];
      const index = num(reply[2]) - 1;
      const limit = num(reply[4]);
      const scope = reason === 'quota' ? r.quota[index].key : r.scopes[index].key;
      return { ok: false, reason, scope, retryAfterMs: num(reply[3]), ...(limit >= 0 ? { limit } : {}) };
    }

    const remaining: ScopeRemaining[] = [];
    r.scopes.forEach((s, i) => {
      if (s.rpm === null && s.tpm === null) return;
      const entry: ScopeRemaining = { scope: s.key, resetMs: num(reply[4 + i * 3]) };
      if (s.rpm !== null) entry.rpmRemaining = num(reply[2 + i * 3]);
      if (s.tpm !== null) entry.tpmRemaining = num(reply[3 + i * 3]);
      remaining.push(entry);
    });
    return {
      ok: true,
      lease: {
        requestId: r.requestId,
        scopes: r.scopes.map((s) => s.key),
        quota: r.quota.map((a) => a.key),
        reservedMicros: r.reserveMicros,
        estimatedTokens: r.estimatedTokens,
        acquiredAtMs: num(reply[1]),
      },
      remaining,
    };
  }

  async settle(lease: Lease, actual: SettleUsage): Promise<SettleResult> {
    checkLease(lease);
    checkUsage(actual);
    return this.runSettle(lease, actual);
  }

  async release(lease: Lease): Promise<void> {
    checkLease(lease);
    await this.runSettle(lease, { tokens: 0, costMicros: 0 });
  }

  async setRemaining(quotaKey: string, remainingMicros: number | null): Promise<void> {
    checkRemaining(quotaKey, remainingMicros);
    const key = this.keys.quota(quotaKey);
    if (remainingMicros === null) await this.client.del(key);
    else await this.client.set(key, String(remainingMicros), 'PX', QUOTA_IDLE_TTL_MS);
  }

  async getRemaining(quotaKey: string): Promise<number | null> {
    const value = await this.client.get(this.keys.quota(quotaKey));
    return value === null ? null : num(value);
  }

  async close(): Promise<void> {
    if (this.ownsClient) await this.client.quit();
  }

  private async runSettle(lease: Lease, actual: SettleUsage): Promise<SettleResult> {
    const keys = [this.keys.lease(lease.requestId)];
    for (const scope of lease.scopes) keys.push(this.keys.tpm(scope), this.keys.concurrency(scope));
    for (const account of lease.quota) keys.push(this.keys.quota(account));
    const args: (string | number)[] = [
      this.now?.() ?? '',
      lease.requestId,
      lease.scopes.length,
      lease.quota.length,
      lease.acquiredAtMs,
      actual.tokens - lease.estimatedTokens,
      lease.reservedMicros - actual.costMicros,
      BUCKET_MS,
      WINDOW_MS,
      COUNTER_TTL_MS,
      QUOTA_IDLE_TTL_MS,
    ];
    const reply = asArray(await SETTLE.run(this.client, keys, args));
    const remainingMicros: Record<string, number> = {};
    lease.quota.forEach((account, j) => {
      if (num(reply[1 + j * 2]) === 1) remainingMicros[account] = num(reply[2 + j * 2]);
    });
    return { remainingMicros };
  }
}
