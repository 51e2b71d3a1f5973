import { randomUUID } from 'node:crypto';
import { CONCURRENCY_RETRY_AFTER_MS, COUNTER_TTL_MS, LEASE_RECORD_TTL_MS, QUOTA_IDLE_TTL_MS, WINDOW_MS } from './limits.constants';
import { checkLease, checkRemaining, checkUsage, normaliseAcquire, type NormalisedAcquire } from './limit-request.validator';
import type {
  AcquireRequest,
  AcquireResult,
  BilledCharge,
  Lease,
  LimitStore,
  PendingCharge,
  QuotaCorrection,
  QuotaSnapshot,
  ScopeRemaining,
  SettleResult,
  SettleUsage,
} from './limit-store.types';
import { billedField, decodePendingCharge, encodePendingCharge, settledPrefix } from './pending-charge.codec';
import { bucketOf, oldestLiveBucket, readWindow, resetMs, retryAfterMs, rpmExcess, tpmExcess, type WindowView } from './sliding-window.util';

/** A Map whose entries expire like Redis keys (lazily on read, plus a periodic sweep). */
class ExpiringMap<V> {
  private readonly entries = new Map<string, { value: V; expiresAt: number }>();

  get(key: string, now: number): V | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.expiresAt <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return e.value;
  }

  set(key: string, value: V, expiresAt: number): void {
    // updated in place: every request sets several counters, a new entry object each time was its largest garbage
    const e = this.entries.get(key);
    if (e) {
      e.value = value;
      e.expiresAt = expiresAt;
    } else this.entries.set(key, { value, expiresAt });
  }

  /** true when a live entry was deleted. */
  delete(key: string, now: number): boolean {
    const live = this.get(key, now) !== undefined;
    this.entries.delete(key);
    return live;
  }

  /** Live keys. */
  keys(now: number): string[] {
    const out: string[] = [];
    for (const [k, e] of this.entries) if (e.expiresAt > now) out.push(k);
    return out;
  }

  sweep(now: number): void {
    for (const [k, e] of this.entries) if (e.expiresAt <= now) this.entries.delete(k);
  }

  clear(): void {
    this.entries.clear();
  }
}

/**
 * Live leases of one scope (the in-memory twin of the Redis ZSET). Tracks the earliest expiry so pruning costs
 * nothing until a lease has actually expired (a crashed caller), keeping acquire O(1) with thousands in flight.
 */
class LeaseSet {
  private readonly leases = new Map<string, number>();
  private earliest = Number.POSITIVE_INFINITY;
  /** Latest expiry ever added: the set must be kept (ExpiringMap TTL) until then. */
  latest = 0;

  get size(): number {
    return this.leases.size;
  }

  prune(now: number): void {
    if (now < this.earliest) return;
    this.earliest = Number.POSITIVE_INFINITY;
    for (const [id, expiresAt] of this.leases) {
      if (expiresAt <= now) this.leases.delete(id);
      else this.earliest = Math.min(this.earliest, expiresAt);
    }
  }

  add(requestId: string, expiresAt: number): void {
    this.leases.set(requestId, expiresAt);
    this.earliest = Math.min(this.earliest, expiresAt);
    this.latest = Math.max(this.latest, expiresAt);
  }

  delete(requestId: string): void {
    this.leases.delete(requestId);
  }
}

type Failure = Extract<AcquireResult, { ok: false }>;

/** The in-memory twin of a pending hash: the counter's epoch and requestId → encoded pending charge. */
interface PendingCharges {
  epoch: string;
  entries: Map<string, string>;
}

/** The refusal with the longer Retry-After; the earlier one on ties. */
function longerWait(current: Failure | null, candidate: Failure): Failure {
  return current && current.retryAfterMs >= candidate.retryAfterMs ? current : candidate;
}

export interface MemoryLimitStoreOptions {
  /** Clock for settle/release and for requests without nowMs; default Date.now. */
  now?: () => number;
}

/**
 * Standalone-mode LimitStore. Every operation runs synchronously inside one call, so it is atomic on the event loop
 * exactly as the Lua scripts are atomic in Redis; the semantics mirror RedisLimitStore (same shared test table).
 */
export class MemoryLimitStore implements LimitStore {
  private readonly now: () => number;
  private readonly rpm = new ExpiringMap<Map<number, number>>();
  private readonly tpm = new ExpiringMap<Map<number, number>>();
  /** scope -> live leases (expiry in request time). */
  private readonly concurrency = new ExpiringMap<LeaseSet>();
  private readonly quota = new ExpiringMap<number>();
  private readonly pending = new ExpiringMap<PendingCharges>();
  private readonly leases = new ExpiringMap<true>();
  private readonly marks = new ExpiringMap<true>();
  private lastSweep: number;

  constructor(options: MemoryLimitStoreOptions = {}) {
    this.now = options.now ?? Date.now;
    this.lastSweep = this.now();
  }

  async acquire(req: AcquireRequest): Promise<AcquireResult> {
    return this.acquireSync(normaliseAcquire(req));
  }

  async settle(lease: Lease, actual: SettleUsage): Promise<SettleResult> {
    checkLease(lease);
    checkUsage(actual);
    return this.settleSync(lease, actual);
  }

  async release(lease: Lease): Promise<void> {
    checkLease(lease);
    this.settleSync(lease, { tokens: 0, costMicros: 0 });
  }

  async setRemaining(quotaKey: string, remainingMicros: number | null): Promise<void> {
    checkRemaining(quotaKey, remainingMicros);
    const clock = this.now();
    // The counter starts a new life either way: what the old one held pending is not part of it.
    this.pending.delete(quotaKey, clock);
    if (remainingMicros === null) {
      this.quota.delete(quotaKey, clock);
      return;
    }
    this.quota.set(quotaKey, remainingMicros, clock + QUOTA_IDLE_TTL_MS);
    this.pending.set(quotaKey, { epoch: `set:${randomUUID()}`, entries: new Map() }, clock + QUOTA_IDLE_TTL_MS);
  }

  async getRemaining(quotaKey: string): Promise<number | null> {
    return this.quota.get(quotaKey, this.now()) ?? null;
  }

  async markOnce(key: string, ttlMs: number): Promise<boolean> {
    const clock = this.now();
    if (this.marks.get(key, clock)) return false;
    this.marks.set(key, true, clock + Math.max(1, Math.ceil(ttlMs)));
    return true;
  }

  async *quotaAccounts(): AsyncIterable<string[]> {
    const clock = this.now();
    const accounts = this.quota.keys(clock);
    for (let i = 0; i < accounts.length; i += 1000) yield accounts.slice(i, i + 1000);
  }

  async snapshotQuota(accounts: string[]): Promise<QuotaSnapshot> {
    const clock = this.now();
    return {
      nowMs: clock,
      counters: accounts.map((account) => {
        const remaining = this.quota.get(account, clock);
        if (remaining === undefined) return { account, remainingMicros: null, epoch: null, pending: {} };
        const p = this.pending.get(account, clock);
        const pending: Record<string, PendingCharge> = {};
        for (const [id, text] of p?.entries ?? []) pending[id] = decodePendingCharge(text);
        return { account, remainingMicros: remaining, epoch: p?.epoch ?? '', pending };
      }),
    };
  }

  async correctQuota(corrections: QuotaCorrection[]): Promise<boolean[]> {
    const clock = this.now();
    return corrections.map((c) => {
      if (!Number.isSafeInteger(c.deltaMicros)) throw new RangeError(`deltaMicros must be a safe integer, got ${c.deltaMicros}`);
      const value = this.quota.get(c.account, clock);
      const p = this.pending.get(c.account, clock);
      if (value === undefined || (p?.epoch ?? '') !== c.epoch) return false;
      // The counter and its pending charges live and expire together.
      this.quota.set(c.account, value + c.deltaMicros, clock + QUOTA_IDLE_TTL_MS);
      if (p) {
        for (const [id, charge] of Object.entries(c.forget)) if (p.entries.get(id) === encodePendingCharge(charge)) p.entries.delete(id);
        this.pending.set(c.account, p, clock + QUOTA_IDLE_TTL_MS);
      }
      return true;
    });
  }

  async confirmBilled(txid: string, charges: BilledCharge[]): Promise<number> {
    const clock = this.now();
    const folded = new Map<PendingCharges, number>();
    let confirmed = 0;
    for (const c of charges) {
      const prefix = settledPrefix(c.costMicros);
      let any = false;
      for (const account of c.accounts) {
        const p = this.pending.get(account, clock);
        if (!p?.entries.get(c.requestId)?.startsWith(prefix)) continue;
        p.entries.delete(c.requestId);
        folded.set(p, (folded.get(p) ?? 0) + c.costMicros);
        any = true;
      }
      if (any) confirmed++;
    }
    const field = billedField(txid);
    for (const [p, micros] of folded) {
      const before = p.entries.get(field);
      p.entries.set(field, encodePendingCharge({ state: 'billed', micros: micros + (before ? decodePendingCharge(before).micros : 0), sinceMs: clock }));
    }
    return confirmed;
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    for (const m of [this.rpm, this.tpm, this.concurrency, this.quota, this.pending, this.leases, this.marks]) m.clear();
  }

  private acquireSync(r: NormalisedAcquire): AcquireResult {
    const clock = this.now();
    const now = r.nowMs ?? clock;
    this.maybeSweep(clock);
    if (this.leases.get(r.requestId, clock)) throw new Error(`limit lease already held for request ${r.requestId}`);

    // Every refusal is evaluated and the longest Retry-After wins, so a client that waits it out is not refused
    // again straight away by another scope.
    let failure: Failure | null = null;
    const views: { s: NormalisedAcquire['scopes'][number]; rw: WindowView; tw: WindowView }[] = [];
    for (const s of r.scopes) {
      const leases = this.concurrency.get(s.key, clock);
      leases?.prune(now);
      const live = leases?.size ?? 0;
      const rw = readWindow(this.rpm.get(s.key, clock), now);
      const tw = readWindow(this.tpm.get(s.key, clock), now);
      if (s.maxConcurrency !== null && live >= s.maxConcurrency) {
        failure = longerWait(failure, {
          ok: false,
          reason: 'concurrency',
          scope: s.key,
          retryAfterMs: CONCURRENCY_RETRY_AFTER_MS,
          limit: s.maxConcurrency,
        });
      }
      const rpmOver = s.rpm === null ? 0 : rpmExcess(rw.sum, s.rpm);
      if (s.rpm !== null && rpmOver > 0) {
        failure = longerWait(failure, { ok: false, reason: 'rpm', scope: s.key, retryAfterMs: retryAfterMs(rw, rpmOver, now), limit: s.rpm });
      }
      const tpmOver = s.tpm === null ? 0 : tpmExcess(tw.sum, r.estimatedTokens, s.tpm);
      if (s.tpm !== null && tpmOver > 0) {
        failure = longerWait(failure, { ok: false, reason: 'tpm', scope: s.key, retryAfterMs: retryAfterMs(tw, tpmOver, now), limit: s.tpm });
      }
      views.push({ s, rw, tw });
    }
    if (failure) return failure;

    const balances: number[] = [];
    const fresh: boolean[] = [];
    for (const a of r.quota) {
      const stored = this.quota.get(a.key, clock);
      const remaining = stored ?? a.initialRemainingMicros;
      if (remaining <= 0 || r.reserveMicros > remaining) return { ok: false, reason: 'quota', scope: a.key, retryAfterMs: 0 };
      balances.push(remaining);
      fresh.push(stored === undefined);
    }

    // All checks passed: count and reserve.
    const current = bucketOf(now);
    this.leases.set(r.requestId, true, clock + LEASE_RECORD_TTL_MS);
    const remaining: ScopeRemaining[] = [];
    for (const { s, rw, tw } of views) {
      this.addToBucket(this.rpm, s.key, current, 1, clock);
      if (r.estimatedTokens > 0) this.addToBucket(this.tpm, s.key, current, r.estimatedTokens, clock);
      const leases = this.concurrency.get(s.key, clock) ?? new LeaseSet();
      leases.add(r.requestId, now + r.leaseTtlMs);
      // Like the script's PEXPIRE that only ever extends: the set outlives its longest lease.
      this.concurrency.set(s.key, leases, clock + Math.max(r.leaseTtlMs, leases.latest - now));
      if (s.rpm !== null || s.tpm !== null) {
        const entry: ScopeRemaining = { scope: s.key, resetMs: resetMs(rw, now) };
        if (s.rpm !== null) entry.rpmRemaining = Math.max(0, s.rpm - rw.sum - 1);
        if (s.tpm !== null) entry.tpmRemaining = Math.max(0, s.tpm - tw.sum - r.estimatedTokens);
        remaining.push(entry);
      }
    }
    r.quota.forEach((a, i) => {
      const expiresAt = clock + QUOTA_IDLE_TTL_MS;
      this.quota.set(a.key, balances[i] - r.reserveMicros, expiresAt);
      // A new life of the counter: what the old one held pending is not part of it.
      const p = (!fresh[i] && this.pending.get(a.key, clock)) || { epoch: fresh[i] ? `${now}:${r.requestId}` : '', entries: new Map<string, string>() };
      if (r.reserveMicros > 0) p.entries.set(r.requestId, encodePendingCharge({ state: 'reserved', micros: r.reserveMicros, sinceMs: now }));
      this.pending.set(a.key, p, expiresAt);
    });

    return {
      ok: true,
      lease: {
        requestId: r.requestId,
        scopes: r.scopes.map((s) => s.key),
        quota: r.quota.map((a) => a.key),
        reservedMicros: r.reserveMicros,
        estimatedTokens: r.estimatedTokens,
        acquiredAtMs: now,
      },
      remaining,
    };
  }

  private settleSync(lease: Lease, actual: SettleUsage): SettleResult {
    const clock = this.now();
    // Only the first settle/release of a lease has an effect.
    if (this.leases.delete(lease.requestId, clock)) {
      const tokenDelta = actual.tokens - lease.estimatedTokens;
      const acquiredBucket = bucketOf(lease.acquiredAtMs);
      for (const scope of lease.scopes) {
        this.concurrency.get(scope, clock)?.delete(lease.requestId);
        if (tokenDelta < 0) {
          // Give back unused estimate in the bucket it was counted in, if that bucket is still in the window.
          const buckets = this.tpm.get(scope, clock);
          const counted = buckets?.get(acquiredBucket);
          if (buckets && counted !== undefined && acquiredBucket >= oldestLiveBucket(clock)) {
            buckets.set(acquiredBucket, Math.max(0, counted + tokenDelta));
          }
        } else if (tokenDelta > 0) {
          // Tokens beyond the estimate were produced up to now: count them now, for a full window.
          this.addToBucket(this.tpm, scope, bucketOf(clock), tokenDelta, clock);
        }
      }
      const refund = lease.reservedMicros - actual.costMicros;
      for (const account of lease.quota) {
        const value = this.quota.get(account, clock);
        // A deleted account is re-read from the DB's view, which will include this request once billed.
        if (value === undefined) continue;
        const expiresAt = clock + QUOTA_IDLE_TTL_MS;
        const p = this.pending.get(account, clock) ?? { epoch: '', entries: new Map<string, string>() };
        // Reserved in this life of the counter: refund the difference. Not there: the counter was re-initialised
        // from the DB's view since (which this unbilled request is not in), so charge its whole cost.
        this.quota.set(account, value + (p.entries.has(lease.requestId) ? refund : -actual.costMicros), expiresAt);
        if (actual.costMicros > 0) p.entries.set(lease.requestId, encodePendingCharge({ state: 'settled', micros: actual.costMicros, sinceMs: clock }));
        else p.entries.delete(lease.requestId);
        this.pending.set(account, p, expiresAt);
      }
    }
    const remainingMicros: Record<string, number> = {};
    for (const account of lease.quota) {
      const value = this.quota.get(account, clock);
      if (value !== undefined) remainingMicros[account] = value;
    }
    return { remainingMicros };
  }

  private addToBucket(map: ExpiringMap<Map<number, number>>, scope: string, bucket: number, amount: number, clock: number): void {
    const buckets = map.get(scope, clock) ?? new Map<number, number>();
    buckets.set(bucket, (buckets.get(bucket) ?? 0) + amount);
    map.set(scope, buckets, clock + COUNTER_TTL_MS);
  }

  private maybeSweep(clock: number): void {
    if (clock - this.lastSweep < WINDOW_MS) return;
    this.lastSweep = clock;
    for (const m of [this.rpm, this.tpm, this.concurrency, this.quota, this.pending, this.leases, this.marks]) m.sweep(clock);
  }
}
