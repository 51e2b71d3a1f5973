/** One limited subject (a token, a user, a group). A null/undefined limit skips that check; the scope is still counted. */
export interface LimitScope {
  /** e.g. 'token:12', 'user:3', 'group:default' (see limit-scopes.builder.ts). */
  key: string;
  rpm?: number | null;
  tpm?: number | null;
  maxConcurrency?: number | null;
}

/** An account that a request's estimated cost is reserved against (token quota, user balance). */
export interface QuotaAccount {
  /** 'token:12' | 'user:3' */
  key: string;
  /** Used only when the store has no value yet for this key (lazy init from the DB's view). */
  initialRemainingMicros: number;
}

export interface AcquireRequest {
  requestId: string;
  scopes: LimitScope[];
  /** Prompt tokens + requested max output; counted against TPM now, corrected by settle(). */
  estimatedTokens: number;
  quota: QuotaAccount[];
  /** Estimated cost in micro-USD, reserved against every quota account. */
  reserveMicros: number;
  /** Clock override (tests). Default: the store's clock (Redis server TIME for RedisLimitStore). */
  nowMs?: number;
  /** Concurrency lease TTL for crash recovery, default 10 min. */
  leaseTtlMs?: number;
}

export interface ScopeRemaining {
  scope: string;
  /** Present when the scope has an RPM limit: requests left in the sliding window after this one. */
  rpmRemaining?: number;
  /** Present when the scope has a TPM limit: tokens left after this request's estimate. */
  tpmRemaining?: number;
  /** ms until the oldest request in the window leaves it (when the remaining numbers next grow). */
  resetMs: number;
}

export type LimitRejectReason = 'rpm' | 'tpm' | 'concurrency' | 'quota';

export type AcquireResult =
  | { ok: true; lease: Lease; remaining: ScopeRemaining[] }
  | {
      ok: false;
      reason: LimitRejectReason;
      /** The scope key (or quota account key for 'quota') that refused the request. */
      scope: string;
      /** For rpm/tpm: ms until enough of the window expires; concurrency: 1000; quota: 0. */
      retryAfterMs: number;
      limit?: number;
    };

/** What settle()/release() need; plain data, safe to pass around or serialise. */
export interface Lease {
  requestId: string;
  scopes: string[];
  quota: string[];
  reservedMicros: number;
  estimatedTokens: number;
  /** In the store's clock: the time the window buckets and lease expiry were computed from. */
  acquiredAtMs: number;
}

export interface SettleUsage {
  tokens: number;
  costMicros: number;
}

export interface SettleResult {
  /** Remaining micro-USD per quota account after settlement; an account the store no longer holds is omitted. */
  remainingMicros: Record<string, number>;
}

/**
 * A request's money as a quota counter holds it until the ledger confirms it: reserved at acquire (lease not settled
 * yet), then settled at its actual cost (not yet known to be in the ledger). Billing, once its debit has committed,
 * folds the settled entries it wrote into one 'billed' entry per counter under `#tx:<transaction id>` (confirmBilled);
 * the reconciler confirms the rest once the ledger holds them, and forgets a billed entry once its snapshot sees that
 * transaction. An amount of 0 is never kept.
 */
export interface PendingCharge {
  state: 'reserved' | 'settled' | 'billed';
  micros: number;
  /** Store clock: when it was reserved / settled / billed. */
  sinceMs: number;
}

/** One request billing has debited: its cost and the counters it may have been charged on. */
export interface BilledCharge {
  requestId: string;
  /** quota accounts ('user:3', 'token:12'); one the store holds no counter for is skipped */
  accounts: string[];
  costMicros: number;
}

/** One quota counter and what it holds that the ledger may not have yet, read atomically. */
export interface QuotaCounterSnapshot {
  account: string;
  /** The counter; null when the store holds none (the next acquire initialises it from the DB's view). */
  remainingMicros: number | null;
  /** Changes whenever the counter is (re)initialised; a correction applies only within the epoch it was computed in. */
  epoch: string | null;
  /**
   * requestId (or `#tx:<transaction id>` for a billed entry) → the money this counter has taken that the reconciler
   * has not yet seen in the ledger.
   */
  pending: Record<string, PendingCharge>;
}

export interface QuotaSnapshot {
  /** The store's clock at the snapshot. */
  nowMs: number;
  counters: QuotaCounterSnapshot[];
}

/** What the reconciler applies to one counter (atomically; skipped when the epoch changed meanwhile). */
export interface QuotaCorrection {
  account: string;
  epoch: string;
  /** Added to the counter (negative takes money away). */
  deltaMicros: number;
  /**
   * Pending entries to forget, each with the exact value the snapshot saw (an entry that changed since, e.g. a
   * reservation settled meanwhile, is kept).
   */
  forget: Record<string, PendingCharge>;
}

/**
 * The gateway's counter store: one atomic operation per request checks RPM/TPM/concurrency for every scope and
 * reserves the estimated cost on every quota account. settle()/release() are idempotent per requestId.
 */
export interface LimitStore {
  /**
   * All-or-nothing: on any failure nothing is counted or reserved. Rejects with LimitStoreUnavailableError when the
   * store cannot be asked (the other store methods likewise).
   */
  acquire(req: AcquireRequest): Promise<AcquireResult>;
  /**
   * Releases concurrency, corrects TPM by (actual - estimated) tokens, refunds (reserved - actual) to every quota
   * account (a negative refund is charged even if the account goes below zero).
   */
  settle(lease: Lease, actual: SettleUsage): Promise<SettleResult>;
  /** The request failed before any usage: release concurrency and TPM estimate, refund the whole reservation; the RPM hit stays. */
  release(lease: Lease): Promise<void>;
  /** Admin change or reconciliation; null deletes the value (lazy re-init on the next acquire). */
  setRemaining(quotaKey: string, remainingMicros: number | null): Promise<void>;
  getRemaining(quotaKey: string): Promise<number | null>;
  /**
   * true for the first caller of `key` for the next `ttlMs`, false for every later one: an event that must happen
   * once across every replica (a budget's soft limit, once per period).
   */
  markOnce(key: string, ttlMs: number): Promise<boolean>;
  /** Accounts that have a counter now, in batches (Redis SCAN: every account at least once). */
  quotaAccounts(): AsyncIterable<string[]>;
  /** Counters with their pending charges, all read in one atomic step. */
  snapshotQuota(accounts: string[]): Promise<QuotaSnapshot>;
  /** Applies each correction atomically; answers, per correction, whether it applied (false: the epoch changed). */
  correctQuota(corrections: QuotaCorrection[]): Promise<boolean[]>;
  /**
   * Billing's debit transaction `txid` (Postgres' pg_current_xact_id) has committed these charges: on each counter,
   * the settled entries with exactly that cost become one billed entry `#tx:<txid>` (added to, if present), so a
   * counter holds one entry per billing batch instead of one per request. Entries not settled at that cost (a
   * reservation still to settle, a counter re-initialised since) are left for the reconciler. Answers how many of the
   * requests had at least one entry folded.
   */
  confirmBilled(txid: string, charges: BilledCharge[]): Promise<number>;
  /** Readiness: resolves when the store can serve now (Redis connected and answering). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
