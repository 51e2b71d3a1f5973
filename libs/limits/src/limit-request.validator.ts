import { DEFAULT_LEASE_TTL_MS } from './limits.constants';
import type { AcquireRequest, Lease, SettleUsage } from './limit-store.types';

/**
 * Inputs come from the gateway's own code, not from clients, so a bad one is a bug: fail loudly rather than count
 * something wrong. Money and tokens are integers (micro-USD, tokens) so both stores do exact integer arithmetic.
 */
function int(name: string, value: number, min: number | null = 0, field?: string): number {
  if (!Number.isSafeInteger(value) || (min !== null && value < min)) {
    throw new RangeError(`${field ? `${name} ${field}` : name} must be a safe integer${min !== null ? ` >= ${min}` : ''}, got ${value}`);
  }
  return value;
}

/** `field` of the scope `key`: the message is built only when it throws (every request checks a dozen of these). */
function limit(key: string, field: string, value: number | null | undefined): number | null {
  if (value === null || value === undefined) return null;
  return int(key, value, 0, field);
}

/** A pairwise check: a request has a handful of scopes, so no Set and no key array per call. */
function unique(name: string, items: readonly { key: string }[]): void {
  for (let i = 0; i < items.length; i++) {
    const k = items[i].key;
    if (!k) throw new RangeError(`${name} contains an empty key`);
    for (let j = 0; j < i; j++) if (items[j].key === k) throw new RangeError(`${name} contains duplicates: ${items.map((x) => x.key).join(', ')}`);
  }
}

export interface NormalisedScope {
  key: string;
  rpm: number | null;
  tpm: number | null;
  maxConcurrency: number | null;
}

export interface NormalisedAcquire {
  requestId: string;
  scopes: NormalisedScope[];
  quota: { key: string; initialRemainingMicros: number }[];
  estimatedTokens: number;
  reserveMicros: number;
  nowMs: number | null;
  leaseTtlMs: number;
}

export function normaliseAcquire(req: AcquireRequest): NormalisedAcquire {
  if (!req.requestId) throw new RangeError('requestId is required');
  // '#…' fields of a pending hash are the store's own (the counter's epoch).
  if (req.requestId.startsWith('#')) throw new RangeError(`requestId must not start with '#': ${req.requestId}`);
  unique('scopes', req.scopes);
  unique('quota', req.quota);
  return {
    requestId: req.requestId,
    scopes: req.scopes.map((s) => ({
      key: s.key,
      rpm: limit(s.key, 'rpm', s.rpm),
      tpm: limit(s.key, 'tpm', s.tpm),
      maxConcurrency: limit(s.key, 'maxConcurrency', s.maxConcurrency),
    })),
    quota: req.quota.map((q) => ({
      key: q.key,
      initialRemainingMicros: int(q.key, q.initialRemainingMicros, null, 'initialRemainingMicros'),
    })),
    estimatedTokens: int('estimatedTokens', req.estimatedTokens),
    reserveMicros: int('reserveMicros', req.reserveMicros),
    nowMs: req.nowMs === undefined ? null : int('nowMs', req.nowMs),
    leaseTtlMs: int('leaseTtlMs', req.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS, 1),
  };
}

export function checkLease(lease: Lease): void {
  if (!lease.requestId) throw new RangeError('lease.requestId is required');
  int('lease.reservedMicros', lease.reservedMicros);
  int('lease.estimatedTokens', lease.estimatedTokens);
  int('lease.acquiredAtMs', lease.acquiredAtMs);
}

export function checkUsage(actual: SettleUsage): void {
  int('actual.tokens', actual.tokens);
  int('actual.costMicros', actual.costMicros);
}

export function checkRemaining(quotaKey: string, remainingMicros: number | null): void {
  if (!quotaKey) throw new RangeError('quotaKey is required');
  if (remainingMicros !== null) int('remainingMicros', remainingMicros, null);
}
