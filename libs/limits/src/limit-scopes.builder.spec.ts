import { buildLimitScopes, buildQuotaAccounts } from './limit-scopes.builder';

describe('buildLimitScopes', () => {
  it('builds token, user and group scopes in check order; null/undefined limits become null', () => {
    expect(
      buildLimitScopes({
        token: { id: 12, rpm: 60, tpm: null },
        user: { id: 3 },
        group: { name: 'default', rpm: 1000, tpm: 100_000, maxConcurrency: undefined },
      }),
    ).toEqual([
      { key: 'token:12', rpm: 60, tpm: null, maxConcurrency: null },
      { key: 'user:3', rpm: null, tpm: null, maxConcurrency: null },
      { key: 'group:default', rpm: 1000, tpm: 100_000, maxConcurrency: null },
    ]);
  });

  it('leaves out absent user and group scopes', () => {
    expect(buildLimitScopes({ token: { id: 'abc', maxConcurrency: 2 }, user: null })).toEqual([{ key: 'token:abc', rpm: null, tpm: null, maxConcurrency: 2 }]);
  });

  it('rejects negative or non-finite limits', () => {
    expect(() => buildLimitScopes({ token: { id: 1, rpm: -1 } })).toThrow(RangeError);
    expect(() => buildLimitScopes({ token: { id: 1, tpm: Number.NaN } })).toThrow(RangeError);
  });
});

describe('buildQuotaAccounts', () => {
  it('reserves only against limited accounts', () => {
    expect(buildQuotaAccounts({ token: { id: 12, remainingMicros: null }, user: { id: 3, remainingMicros: 5_000_000 } })).toEqual([
      { key: 'user:3', initialRemainingMicros: 5_000_000 },
    ]);
    expect(buildQuotaAccounts({ token: { id: 12, remainingMicros: 0 } })).toEqual([{ key: 'token:12', initialRemainingMicros: 0 }]);
  });
});
