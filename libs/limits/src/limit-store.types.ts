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
 * The gateway's counter store: one atomic operation per request checks RPM/TPM/concurrency for every scope and
 * reserves the estimated cost on every quota account. settle()/release() are idempotent per requestId.
 */
export interface LimitStore {
  /** All-or-nothing: on any failure nothing is counted or reserved. */
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
  close(): Promise<void>;
}
