import type { LimitScope, QuotaAccount } from './limit-store.types';

export type SubjectId = string | number;

export const tokenScopeKey = (id: SubjectId): string => `token:${id}`;
export const userScopeKey = (id: SubjectId): string => `user:${id}`;
export const groupScopeKey = (name: string): string => `group:${name}`;

export interface ScopeLimits {
  rpm?: number | null;
  tpm?: number | null;
  maxConcurrency?: number | null;
}

export interface LimitSubjects {
  token: { id: SubjectId } & ScopeLimits;
  /** Omit (or null) when the request has no user scope. */
  user?: ({ id: SubjectId } & ScopeLimits) | null;
  /** Omit (or null) when the request has no group scope. */
  group?: ({ name: string } & ScopeLimits) | null;
}

/** null/undefined mean "no limit"; anything else must be a finite number >= 0 (0 refuses every request). */
function limit(key: string, field: string, value: number | null | undefined): number | null {
  if (value === null || value === undefined) return null;
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`${key} ${field} must be a number >= 0 or null, got ${value}`);
  return Math.floor(value);
}

function scope(key: string, l: ScopeLimits): LimitScope {
  return {
    key,
    rpm: limit(key, 'rpm', l.rpm),
    tpm: limit(key, 'tpm', l.tpm),
    maxConcurrency: limit(key, 'maxConcurrency', l.maxConcurrency),
  };
}

/**
 * Scopes for one request in check order (token, user, group). A scope with no limits is still returned: it is
 * counted, so a limit set later applies to traffic already in the window.
 */
export function buildLimitScopes(subjects: LimitSubjects): LimitScope[] {
  const scopes = [scope(tokenScopeKey(subjects.token.id), subjects.token)];
  if (subjects.user) scopes.push(scope(userScopeKey(subjects.user.id), subjects.user));
  if (subjects.group) scopes.push(scope(groupScopeKey(subjects.group.name), subjects.group));
  return scopes;
}

export interface QuotaSubjects {
  /** remainingMicros null = unlimited token quota (no account). */
  token: { id: SubjectId; remainingMicros: number | null };
  /** remainingMicros null = unlimited balance (no account); omit when there is no user. */
  user?: { id: SubjectId; remainingMicros: number | null } | null;
}

/** Quota accounts for a request; unlimited ones are left out, so nothing is reserved against them. */
export function buildQuotaAccounts(subjects: QuotaSubjects): QuotaAccount[] {
  const accounts: QuotaAccount[] = [];
  if (subjects.token.remainingMicros !== null) {
    accounts.push({ key: tokenScopeKey(subjects.token.id), initialRemainingMicros: subjects.token.remainingMicros });
  }
  if (subjects.user && subjects.user.remainingMicros !== null) {
    accounts.push({ key: userScopeKey(subjects.user.id), initialRemainingMicros: subjects.user.remainingMicros });
  }
  return accounts;
}
