import { randomUUID } from 'node:crypto';
import { Redis, type ChainableCommander, type Cluster, type RedisOptions } from 'ioredis';
import { BUCKET_MS, CONCURRENCY_RETRY_AFTER_MS, COUNTER_TTL_MS, LEASE_RECORD_TTL_MS, QUOTA_IDLE_TTL_MS, WINDOW_MS } from './limits.constants';
import { LimitKeys } from './limits.keys';
import { checkLease, checkRemaining, checkUsage, normaliseAcquire, type NormalisedAcquire } from './limit-request.validator';
import type {
  AcquireRequest,
  AcquireResult,
  BilledCharge,
  Lease,
  LimitRejectReason,
  LimitStore,
  PendingCharge,
  QuotaCorrection,
  QuotaCounterSnapshot,
  QuotaSnapshot,
  ScopeRemaining,
  SettleResult,
  SettleUsage,
} from './limit-store.types';
import { CallBatcher } from './call-batcher';
import { LuaScript, type ScriptClient } from './lua-script.runner';
import { EPOCH_FIELD, billedField, decodePendingCharge, encodePendingCharge } from './pending-charge.codec';
import { LimitStoreUnavailableError } from './limit-store-unavailable.error';
import { REDIS_OUTAGE_OPTIONS, failFastOnceConnected, pingRedis } from './redis-outage.options';

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
  readonly status: string;
  get(key: string): Promise<string | null>;
  set(key: string, value: string, px: 'PX', ms: number, nx: 'NX'): Promise<string | null>;
  multi(): ChainableCommander;
  scan(cursor: string, match: 'MATCH', pattern: string, count: 'COUNT', n: number): Promise<[string, string[]]>;
  ping(): Promise<string>;
  quit(): Promise<unknown>;
  on(event: 'ready', listener: () => void): unknown;
}

type SettleCall = { lease: Lease; actual: SettleUsage; nowMs: number | undefined };

/** Settles kept for when Redis is back; beyond this many the oldest are dropped (the reconciler heals those). */
const MAX_UNSETTLED = 100_000;
/** While some are kept, how often to look whether Redis is back (besides its `ready` event). */
const UNSETTLED_RETRY_MS = 1_000;

/** ioredis Cluster: SCAN must run on each master (all limit keys share one slot, but which node holds it varies). */
interface ClusterLike {
  nodes(role: 'master'): LimitRedisClient[];
}

const isCluster = (c: unknown): c is ClusterLike => typeof (c as Partial<ClusterLike>).nodes === 'function';

/** The store's scripts (exported for tests that watch Redis and tell the calls apart by SHA). */
export const LIMIT_SCRIPTS = {
  acquire: new LuaScript(['limits-batch.lua', 'limits-acquire.lua']),
  settle: new LuaScript(['limits-batch.lua', 'limits-settle.lua']),
  snapshot: new LuaScript('quota-snapshot.lua'),
  correct: new LuaScript('quota-correct.lua'),
  confirm: new LuaScript('quota-confirm.lua'),
} as const;
const { acquire: ACQUIRE, settle: SETTLE, snapshot: SNAPSHOT, correct: CORRECT, confirm: CONFIRM } = LIMIT_SCRIPTS;
const REASONS: Record<number, LimitRejectReason> = { 1: 'rpm', 2: 'tpm', 3: 'concurrency', 4: 'quota' };

function asArray(reply: unknown): unknown[] {
  if (!Array.isArray(reply)) throw new Error(`unexpected limit script reply: ${String(reply)}`);
  return reply;
}

/**
 * One outcome per call of a batched script: the script's error message for that call (a string: it failed on its
 * own), or what `read` makes of its reply (an Error if the reply is not what it expects).
 */
function outcomes<T, R>(batch: T[], replies: unknown[], what: (item: T) => string, read: (item: T, reply: unknown[]) => R): (R | Error)[] {
  return batch.map((item, i) => {
    const reply = replies[i];
    if (typeof reply === 'string') return new Error(`${what(item)} failed: ${reply}`);
    try {
      return read(item, asArray(reply));
    } catch (e) {
      return e as Error;
    }
  });
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
  /**
   * Acquires, and settles and releases, of one event-loop turn go to Redis as one script call each (see the scripts):
   * under load, one round trip serves many requests; each is still checked, counted and settled on its own.
   */
  private readonly acquires = new CallBatcher<NormalisedAcquire, AcquireResult>((batch) => this.runAcquires(batch));
  private readonly settles = new CallBatcher<SettleCall, SettleResult>((batch) => this.runSettles(batch));
  /**
   * Settles and releases Redis did not take (an outage), by requestId, sent again once it is back (they are
   * idempotent), so the concurrency slots and reservations of requests that ended meanwhile are given back. An
   * acquire whose answer was lost leaves a release here too: it may have run.
   */
  private readonly unsettled = new Map<string, SettleCall>();
  private retryTimer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(client: Redis | Cluster, options: RedisLimitStoreOptions = {}) {
    this.client = client;
    this.keys = new LimitKeys(options.keyPrefix);
    this.now = options.now;
    this.ownsClient = options.ownsClient ?? false;
    // After ioredis has written what it queued before this connection (in the same turn as `ready`): a kept release
    // must reach Redis after the acquire it undoes.
    this.client.on('ready', () => setImmediate(() => this.retryUnsettled()));
  }

  /** A store with its own connection (closed by close()). */
  static fromUrl(url: string, options: Omit<RedisLimitStoreOptions, 'ownsClient'> & { redis?: RedisOptions } = {}): RedisLimitStore {
    const { redis, ...storeOptions } = options;
    // Auto-pipelining: concurrent requests' scripts share one socket write (the profile showed writes dominating).
    const client = failFastOnceConnected(new Redis(url, { ...REDIS_OUTAGE_OPTIONS, enableAutoPipelining: true, ...redis }));
    return new RedisLimitStore(client, { ...storeOptions, ownsClient: true });
  }

  /** Readiness: connected and answering (rejects at once while disconnected). */
  ping(): Promise<void> {
    return pingRedis(this.client);
  }

  async acquire(req: AcquireRequest): Promise<AcquireResult> {
    const r = normaliseAcquire(req);
    // The clock is read now, not when the batch leaves: an acquire counts at the time it was asked for.
    return this.acquires.run({ ...r, nowMs: r.nowMs ?? this.now?.() ?? null });
  }

  private async runAcquires(batch: NormalisedAcquire[]): Promise<(AcquireResult | Error)[]> {
    const keys: string[] = [];
    const args: (string | number)[] = [batch.length, BUCKET_MS, WINDOW_MS, COUNTER_TTL_MS, LEASE_RECORD_TTL_MS, QUOTA_IDLE_TTL_MS, CONCURRENCY_RETRY_AFTER_MS];
    for (const r of batch) {
      keys.push(this.keys.lease(r.requestId));
      args.push(r.nowMs ?? '', r.requestId, r.scopes.length, r.quota.length, r.estimatedTokens, r.reserveMicros, r.leaseTtlMs);
      for (const s of r.scopes) {
        keys.push(this.keys.rpm(s.key), this.keys.tpm(s.key), this.keys.concurrency(s.key));
        args.push(s.rpm ?? '', s.tpm ?? '', s.maxConcurrency ?? '');
      }
      for (const a of r.quota) {
        keys.push(this.keys.quota(a.key));
        args.push(a.initialRemainingMicros);
      }
      for (const a of r.quota) keys.push(this.keys.pending(a.key));
    }
    let reply: unknown;
    try {
      reply = await ACQUIRE.run(this.client, keys, args);
    } catch (e) {
      // It may have run before the answer was lost: release each once Redis is back (a no-op if it did not run).
      for (const r of batch) this.keepUnsettled({ lease: this.leaseOf(r, r.nowMs ?? Date.now()), actual: { tokens: 0, costMicros: 0 }, nowMs: this.now?.() });
      throw new LimitStoreUnavailableError(e);
    }
    return outcomes(
      batch,
      asArray(reply),
      (r) => `limit acquire for request ${r.requestId}`,
      (r, reply) => this.acquireResult(r, reply),
    );
  }

  private acquireResult(r: NormalisedAcquire, reply: unknown[]): AcquireResult {
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
    return { ok: true, lease: this.leaseOf(r, num(reply[1])), remaining };
  }

  private leaseOf(r: NormalisedAcquire, acquiredAtMs: number): Lease {
    return {
      requestId: r.requestId,
      scopes: r.scopes.map((s) => s.key),
      quota: r.quota.map((a) => a.key),
      reservedMicros: r.reserveMicros,
      estimatedTokens: r.estimatedTokens,
      acquiredAtMs,
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
    // The counter starts a new life either way: what the old one held pending is not part of it.
    const pending = this.keys.pending(quotaKey);
    // One transaction: an acquire running in between must find either the old counter or the new one, never
    // none (it would start a counter of its own, whose reservation the new one then lacks).
    const tx = this.client.multi().del(key, pending);
    if (remainingMicros !== null) {
      tx.hset(pending, EPOCH_FIELD, `set:${randomUUID()}`).pexpire(pending, QUOTA_IDLE_TTL_MS).set(key, String(remainingMicros), 'PX', QUOTA_IDLE_TTL_MS);
    }
    const replies = await tx.exec();
    const failed = replies?.find(([err]) => err);
    if (!replies || failed) throw failed?.[0] ?? new Error(`resetting the quota counter ${quotaKey} was aborted`);
  }

  async getRemaining(quotaKey: string): Promise<number | null> {
    const value = await this.client.get(this.keys.quota(quotaKey));
    return value === null ? null : num(value);
  }

  async markOnce(key: string, ttlMs: number): Promise<boolean> {
    try {
      return (await this.client.set(this.keys.mark(key), '1', 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX')) === 'OK';
    } catch (e) {
      throw new LimitStoreUnavailableError(e);
    }
  }

  async *quotaAccounts(): AsyncIterable<string[]> {
    const nodes = isCluster(this.client) ? this.client.nodes('master') : [this.client];
    const pattern = this.keys.quota('*');
    for (const node of nodes) {
      let cursor = '0';
      do {
        const [next, found] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        cursor = next;
        const accounts = found.map((k) => this.keys.accountOf(k)).filter((a): a is string => a !== null);
        if (accounts.length) yield accounts;
      } while (cursor !== '0');
    }
  }

  async snapshotQuota(accounts: string[]): Promise<QuotaSnapshot> {
    const keys = accounts.flatMap((a) => [this.keys.quota(a), this.keys.pending(a)]);
    const reply = asArray(await SNAPSHOT.run(this.client, keys, [this.now?.() ?? '']));
    const counters: QuotaCounterSnapshot[] = accounts.map((account, i) => {
      const [exists, remaining, epoch, flat] = asArray(reply[i + 1]);
      if (num(exists) === 0) return { account, remainingMicros: null, epoch: null, pending: {} };
      const pending: Record<string, PendingCharge> = {};
      const fields = asArray(flat);
      for (let f = 0; f < fields.length; f += 2) pending[String(fields[f])] = decodePendingCharge(String(fields[f + 1]));
      return { account, remainingMicros: num(remaining), epoch: String(epoch), pending };
    });
    return { nowMs: num(reply[0]), counters };
  }

  async correctQuota(corrections: QuotaCorrection[]): Promise<boolean[]> {
    if (!corrections.length) return [];
    const keys: string[] = [];
    const args: (string | number)[] = [QUOTA_IDLE_TTL_MS];
    for (const c of corrections) {
      if (!Number.isSafeInteger(c.deltaMicros)) throw new RangeError(`deltaMicros must be a safe integer, got ${c.deltaMicros}`);
      keys.push(this.keys.quota(c.account), this.keys.pending(c.account));
      const forget = Object.entries(c.forget);
      args.push(c.epoch, c.deltaMicros, forget.length);
      for (const [id, charge] of forget) args.push(id, encodePendingCharge(charge));
    }
    return asArray(await CORRECT.run(this.client, keys, args)).map((v) => num(v) === 1);
  }

  async confirmBilled(txid: string, charges: BilledCharge[]): Promise<number> {
    // Grouped by counter: the script folds each counter's entries into one billed entry.
    const byAccount = new Map<string, (string | number)[]>();
    charges.forEach((c, i) => {
      if (!Number.isSafeInteger(c.costMicros) || c.costMicros <= 0) return;
      for (const account of c.accounts) {
        const entries = byAccount.get(account) ?? [];
        entries.push(i, c.requestId, c.costMicros);
        byAccount.set(account, entries);
      }
    });
    if (!byAccount.size) return 0;
    const keys: string[] = [];
    const args: (string | number)[] = [billedField(txid), this.now?.() ?? ''];
    for (const [account, entries] of byAccount) {
      keys.push(this.keys.pending(account));
      args.push(entries.length / 3, ...entries);
    }
    return num(await CONFIRM.run(this.client, keys, args));
  }

  /** Settles and releases waiting for Redis to come back (see `unsettled`). */
  get unsettledCount(): number {
    return this.unsettled.size;
  }

  async close(): Promise<void> {
    // Redis there: what an outage left unsettled goes with the last batches (else the reconciler heals it).
    if (this.client.status === 'ready') this.retryUnsettled();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    await Promise.all([this.acquires.drain(), this.settles.drain()]);
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.ownsClient) await this.client.quit().catch(() => undefined);
  }

  private runSettle(lease: Lease, actual: SettleUsage): Promise<SettleResult> {
    // The clock is read now, not when the batch leaves: a settle counts at the time it was asked for.
    return this.settles.run({ lease, actual, nowMs: this.now?.() });
  }

  private keepUnsettled(call: SettleCall): void {
    if (this.unsettled.size >= MAX_UNSETTLED && !this.unsettled.has(call.lease.requestId)) {
      this.unsettled.delete(this.unsettled.keys().next().value!);
    }
    this.unsettled.set(call.lease.requestId, call);
    if (!this.closed) this.retryTimer ??= setTimeout(() => this.retryUnsettled(), UNSETTLED_RETRY_MS).unref();
  }

  private retryUnsettled(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (!this.unsettled.size || this.closed) return;
    if (this.client.status !== 'ready') {
      this.retryTimer = setTimeout(() => this.retryUnsettled(), UNSETTLED_RETRY_MS).unref();
      return;
    }
    const calls = [...this.unsettled.values()];
    this.unsettled.clear();
    // A batch that fails again keeps its calls once more (runSettles).
    for (const call of calls) this.settles.run(call).catch(() => undefined);
  }

  private async runSettles(batch: SettleCall[]): Promise<(SettleResult | Error)[]> {
    const keys: string[] = [];
    const args: (string | number)[] = [batch.length, BUCKET_MS, WINDOW_MS, COUNTER_TTL_MS, QUOTA_IDLE_TTL_MS];
    for (const { lease, actual, nowMs } of batch) {
      keys.push(this.keys.lease(lease.requestId));
      for (const scope of lease.scopes) keys.push(this.keys.tpm(scope), this.keys.concurrency(scope));
      for (const account of lease.quota) keys.push(this.keys.quota(account));
      for (const account of lease.quota) keys.push(this.keys.pending(account));
      args.push(
        nowMs ?? '',
        lease.requestId,
        lease.scopes.length,
        lease.quota.length,
        lease.acquiredAtMs,
        actual.tokens - lease.estimatedTokens,
        lease.reservedMicros - actual.costMicros,
        actual.costMicros,
      );
    }
    let reply: unknown;
    try {
      reply = await SETTLE.run(this.client, keys, args);
    } catch (e) {
      for (const call of batch) this.keepUnsettled(call);
      throw new LimitStoreUnavailableError(e);
    }
    return outcomes(
      batch,
      asArray(reply),
      ({ lease }) => `settling lease ${lease.requestId}`,
      ({ lease }, r) => {
        const remainingMicros: Record<string, number> = {};
        lease.quota.forEach((account, j) => {
          if (num(r[1 + j * 2]) === 1) remainingMicros[account] = num(r[2 + j * 2]);
        });
        return { remainingMicros };
      },
    );
  }
}
