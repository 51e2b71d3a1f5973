import type { VerifiedToken } from '@switchboard/contracts';

/** A verified key with no limits (tests override what they check). */
export const token = (over: Partial<VerifiedToken> = {}, user: Partial<VerifiedToken['user']> = {}): VerifiedToken => ({
  tokenId: 7,
  tokenName: 't',
  status: 'active',
  expiresAt: null,
  quotaMicros: null,
  usedQuotaMicros: 0,
  models: null,
  allowIps: [],
  crossGroupRetry: false,
  logBodies: false,
  limits: { rpm: null, tpm: null, maxConcurrency: null },
  budget: null,
  user: { id: 3, name: 'u', status: 'active', balanceMicros: null, limits: { rpm: null, tpm: null, maxConcurrency: null }, budget: null, orgId: null, ...user },
  group: { name: 'default', priceRatio: 1, limits: { rpm: null, tpm: null, maxConcurrency: null }, budget: null },
  ...over,
});
