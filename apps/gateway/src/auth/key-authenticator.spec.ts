import { hashApiKey } from '@switchboard/common';
import { DomainError, type VerifiedToken } from '@switchboard/contracts';
import { MemoryLimitStore } from '@switchboard/limits';
import type { TokenCache } from '../state/token-cache.service';
import { KeyAuthenticator, MAX_KEY_FAILURES, type KeyRequest } from './key-authenticator';
import { token } from './verified-token.fixture';

/** The auth service behind the cache: a map of key → token; every lookup that reaches it is counted. */
function tokenSource(known: Record<string, VerifiedToken>) {
  const byHash = new Map(Object.entries(known).map(([k, t]) => [hashApiKey(k), t]));
  const cached = new Map<string, VerifiedToken | null>();
  const lookups: string[] = [];
  const cache = {
    get: (hash: string) => {
      lookups.push(hash);
      const t = byHash.get(hash) ?? null;
      cached.set(hash, t);
      return Promise.resolve(t);
    },
    peek: (hash: string) => cached.get(hash),
  } as unknown as TokenCache;
  return { cache, lookups };
}

const req = (headers: Record<string, string>, ip = '203.0.113.9', query: Record<string, string> = {}): KeyRequest => ({ headers, ip, query });
const statusOf = async (p: Promise<unknown> | (() => unknown)): Promise<number> => {
  try {
    await (typeof p === 'function' ? p() : p);
    return 200;
  } catch (e) {
    return (e as DomainError).status;
  }
};

describe('KeyAuthenticator', () => {
  const store = new MemoryLimitStore();
  afterAll(() => store.close());

  it('finds the key in every carrier the SDKs use; missing → 401, unknown → 401', async () => {
    const { cache } = tokenSource({ 'sk-good': token() });
    const auth = new KeyAuthenticator(cache, store);
    for (const r of [
      req({ authorization: 'Bearer sk-good' }),
      req({ 'x-api-key': 'sk-good' }),
      req({ 'x-goog-api-key': 'sk-good' }),
      req({}, undefined, { key: 'sk-good' }),
    ]) {
      expect((await auth.identify(r)).tokenId).toBe(7);
    }
    await expect(auth.identify(req({}))).rejects.toMatchObject({ status: 401, code: 'invalid_api_key' });
    await expect(auth.identify(req({ authorization: 'Bearer sk-nope' }))).rejects.toMatchObject({ status: 401, code: 'invalid_api_key' });
  });

  it('identifies a request once: the edge hook and the route share one lookup', async () => {
    const { cache, lookups } = tokenSource({ 'sk-good': token() });
    const auth = new KeyAuthenticator(cache, store);
    const r = req({ authorization: 'Bearer sk-good' });
    expect(auth.identified(r)).toBe(false);
    await auth.identify(r);
    expect(auth.identified(r)).toBe(true);
    await auth.identify(r);
    expect(lookups).toHaveLength(1);
  });

  it('checks in order: status → expiry → user status → IP allow-list → model allow-list', () => {
    const { cache } = tokenSource({});
    const auth = new KeyAuthenticator(cache, store);
    const outcome = (t: VerifiedToken, ip = '10.0.0.1', model?: string) => {
      try {
        auth.admit(t, ip, { model });
        return 'ok';
      } catch (e) {
        return `${(e as DomainError).status} ${(e as DomainError).code}`;
      }
    };
    const past = new Date(Date.now() - 1000).toISOString();
    expect(outcome(token())).toBe('ok');
    expect(outcome(token({ status: 'disabled', expiresAt: past }, { status: 'disabled' }))).toBe('401 invalid_api_key');
    expect(outcome(token({ status: 'exhausted' }))).toBe('429 insufficient_quota');
    expect(outcome(token({ expiresAt: past }, { status: 'disabled' }))).toMatch(/^401/);
    expect(outcome(token({ expiresAt: new Date(Date.now() + 60_000).toISOString() }))).toBe('ok');
    expect(outcome(token({ allowIps: ['192.168.0.0/16'] }, { status: 'disabled' }))).toBe('401 invalid_api_key');
    expect(outcome(token({ allowIps: ['192.168.0.0/16'], models: ['a'] }), '10.0.0.1', 'b')).toBe('403 ip_not_allowed');
    expect(outcome(token({ allowIps: ['10.0.0.0/8'], models: ['a'] }), '10.0.0.1', 'b')).toBe('403 model_not_allowed');
    expect(outcome(token({ models: ['a'] }), '10.0.0.1', 'a')).toBe('ok');
    expect(outcome(token({ models: ['a'] }), '10.0.0.1')).toBe('ok'); // no model named (model lists)
    // the messages say which rule refused
    expect(() => auth.admit(token({ expiresAt: past }), '10.0.0.1')).toThrow('expired');
    expect(() => auth.admit(token({}, { status: 'disabled' }), '10.0.0.1')).toThrow('user');
    // redeeming is what an exhausted key may still do; a disabled one may not
    expect(() => auth.admit(token({ status: 'exhausted' }), '10.0.0.1', { allowExhausted: true })).not.toThrow();
    expect(() => auth.admit(token({ status: 'disabled' }), '10.0.0.1', { allowExhausted: true })).toThrow(DomainError);
  });

  it('throttles unknown keys per address: past the limit 429 + Retry-After without asking the auth service; verified keys still work', async () => {
    let now = 1_000_000;
    const clock = jest.spyOn(Date, 'now').mockImplementation(() => now);
    try {
      const { cache, lookups } = tokenSource({ 'sk-good': token(), 'sk-other': token({ tokenId: 8 }) });
      const auth = new KeyAuthenticator(cache, store);
      await auth.identify(req({ authorization: 'Bearer sk-good' }, '198.51.100.7')); // verified (cached) before the attack
      for (let i = 0; i < MAX_KEY_FAILURES; i++) expect(await statusOf(auth.identify(req({ authorization: `Bearer guess-${i}` }, '198.51.100.7')))).toBe(401);
      const asked = lookups.length;
      let refused: DomainError | undefined;
      await auth.identify(req({ authorization: 'Bearer guess-x' }, '198.51.100.7')).catch((e: DomainError) => (refused = e));
      expect(refused).toMatchObject({ status: 429, code: 'too_many_attempts', details: { retryAfterSeconds: 60 } });
      expect(lookups.length).toBe(asked); // refused cheaply: no lookup
      // a key this gateway verified still works from that address; one it has not seen waits like a guess
      expect((await auth.identify(req({ authorization: 'Bearer sk-good' }, '198.51.100.7'))).tokenId).toBe(7);
      expect(await statusOf(auth.identify(req({ authorization: 'Bearer sk-other' }, '198.51.100.7')))).toBe(429);
      // other addresses are not affected; a missing key is not a guess and is not counted
      expect((await auth.identify(req({ authorization: 'Bearer sk-other' }, '198.51.100.8'))).tokenId).toBe(8);
      for (let i = 0; i < 2 * MAX_KEY_FAILURES; i++) expect(await statusOf(auth.identify(req({}, '198.51.100.9')))).toBe(401);
      expect((await auth.identify(req({ authorization: 'Bearer sk-other' }, '198.51.100.9'))).tokenId).toBe(8);
      // the window ends
      now += 60_000;
      expect(await statusOf(auth.identify(req({ authorization: 'Bearer guess-y' }, '198.51.100.7')))).toBe(401);
    } finally {
      clock.mockRestore();
    }
  });

  it('counts a request against the RPM of token, user and group, with no reservation and no concurrency slot kept', async () => {
    const { cache } = tokenSource({ 'sk-limited': token({ limits: { rpm: 2, tpm: 1, maxConcurrency: 1 } }) });
    const own = new MemoryLimitStore();
    try {
      const auth = new KeyAuthenticator(cache, own);
      const r = () => req({ authorization: 'Bearer sk-limited' });
      // tpm 1 and maxConcurrency 1 do not refuse a request that carries no tokens and holds nothing
      expect(await statusOf(auth.authenticate(r(), { countRequest: true }))).toBe(200);
      expect(await statusOf(auth.authenticate(r(), { countRequest: true }))).toBe(200);
      let e: DomainError | undefined;
      await auth.authenticate(r(), { countRequest: true }).catch((x: DomainError) => (e = x));
      expect(e).toMatchObject({ status: 429, code: 'rate_limit_exceeded' });
      expect(e?.details.retryAfterSeconds).toBeGreaterThan(0);
      // without counting (the relay counts through admission) the key is not refused
      expect(await statusOf(auth.authenticate(r()))).toBe(200);
    } finally {
      await own.close();
    }
  });

  it("a user's RPM counts too", async () => {
    const { cache } = tokenSource({ 'sk-u': token({}, { limits: { rpm: 1, tpm: null, maxConcurrency: null } }) });
    const own = new MemoryLimitStore();
    try {
      const auth = new KeyAuthenticator(cache, own);
      expect(await statusOf(auth.authenticate(req({ 'x-api-key': 'sk-u' }), { countRequest: true }))).toBe(200);
      expect(await statusOf(auth.authenticate(req({ 'x-api-key': 'sk-u' }), { countRequest: true }))).toBe(429);
    } finally {
      await own.close();
    }
  });
});
