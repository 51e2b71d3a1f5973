import type { ExecutionContext } from '@nestjs/common';
import type { AppConfig } from '@switchboard/config';
import { DomainError } from '@switchboard/contracts';
import { throttleKey } from '../auth/failure-throttle';
import { MemorySessionStore } from '../session/memory-session.store';
import { SessionService } from '../session/session.service';
import { AdminAuthGuard } from './admin-auth.guard';
import { AdminKeyVerifier } from './admin-key.verifier';
import type { AccountPrincipal } from '@switchboard/contracts';
import type { AccountDirectory } from '../accounts/account-directory';
import { ConsoleAuthenticator } from '../accounts/console-authenticator';

const KEY = 'the-admin-key-0123456789';
const ctx = (ip: string, headers: Record<string, string>) => ({ switchToHttp: () => ({ getRequest: () => ({ ip, headers }) }) }) as unknown as ExecutionContext;
const outcome = (g: AdminAuthGuard, ip: string, headers: Record<string, string>): number => {
  try {
    return g.canActivate(ctx(ip, headers)) ? 200 : 0;
  } catch (e) {
    return (e as DomainError).status;
  }
};

/** Users as auth would answer whoami: 1 a user, 2 an admin, 3 a root; anything else gone or disabled. */
const PEOPLE: Record<number, AccountPrincipal> = {
  1: { id: 1, name: 'ursula', role: 'user', sessionEpoch: 0 },
  2: { id: 2, name: 'adam', role: 'admin', sessionEpoch: 0 },
  3: { id: 3, name: 'rita', role: 'root', sessionEpoch: 1 },
};
const directory = { whoami: (id: number) => Promise.resolve(PEOPLE[id] ?? null) } as unknown as AccountDirectory;
const newGuard = (sessions = new SessionService(new MemorySessionStore()), verifier = new AdminKeyVerifier({ ADMIN_KEY: KEY } as AppConfig)) =>
  new AdminAuthGuard(new ConsoleAuthenticator(verifier, sessions, directory));

describe('AdminAuthGuard', () => {
  let now = 1_000_000;
  beforeEach(() => {
    jest.spyOn(Date, 'now').mockImplementation(() => now);
  });
  afterEach(() => jest.restoreAllMocks());

  it('accepts the key as Bearer or X-Admin-Key, nothing else', () => {
    const g = newGuard();
    expect(outcome(g, '1.1.1.1', { authorization: `Bearer ${KEY}` })).toBe(200);
    expect(outcome(g, '1.1.1.1', { authorization: `bearer   ${KEY}` })).toBe(200);
    expect(outcome(g, '1.1.1.1', { 'x-admin-key': KEY })).toBe(200);
    expect(outcome(g, '1.1.1.1', { authorization: 'Bearer ', 'x-admin-key': KEY })).toBe(200);
    expect(outcome(g, '1.1.1.1', { authorization: `Bearer ${KEY}x` })).toBe(401);
    expect(outcome(g, '1.1.1.1', { authorization: KEY })).toBe(401);
    expect(outcome(g, '1.1.1.1', {})).toBe(401);
  });

  it('refuses an address after 20 failures in a minute, even with the right key, until the minute is over', () => {
    const g = newGuard();
    for (let i = 0; i < 20; i++) expect(outcome(g, '6.6.6.6', { authorization: `Bearer guess-${i}` })).toBe(401);
    expect(outcome(g, '6.6.6.6', { authorization: `Bearer ${KEY}` })).toBe(429);
    try {
      void g.canActivate(ctx('6.6.6.6', {}));
    } catch (e) {
      expect((e as DomainError).details.retryAfterSeconds).toBe(60);
    }
    expect(outcome(g, '7.7.7.7', { authorization: `Bearer ${KEY}` })).toBe(200);
    now += 60_000;
    expect(outcome(g, '6.6.6.6', { authorization: `Bearer ${KEY}` })).toBe(200);
  });

  it('a success forgets earlier failures; failures spread over more than a minute never lock', () => {
    const g = newGuard();
    for (let i = 0; i < 19; i++) outcome(g, '5.5.5.5', {});
    expect(outcome(g, '5.5.5.5', { 'x-admin-key': KEY })).toBe(200);
    for (let i = 0; i < 19; i++) outcome(g, '5.5.5.5', {});
    now += 61_000;
    for (let i = 0; i < 19; i++) outcome(g, '5.5.5.5', {});
    expect(outcome(g, '5.5.5.5', { 'x-admin-key': KEY })).toBe(200);
  });

  it('counts IPv6 clients per /64 and IPv4-mapped addresses as IPv4', () => {
    expect(throttleKey('203.0.113.5')).toBe('203.0.113.5');
    expect(throttleKey('::ffff:203.0.113.5')).toBe('203.0.113.5');
    expect(throttleKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(throttleKey('2001:DB8:1:2:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64');
    expect(throttleKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(throttleKey('::1')).toBe('0:0:0:0::/64');
    const g = newGuard();
    for (let i = 0; i < 20; i++) outcome(g, `2001:db8:1:2::${i + 1}`, {});
    expect(outcome(g, '2001:db8:1:2::ffff', { 'x-admin-key': KEY })).toBe(429);
    expect(outcome(g, '2001:db8:1:3::1', { 'x-admin-key': KEY })).toBe(200);
  });
});

describe('AdminAuthGuard with the console session cookie', () => {
  const req = (method: string, headers: Record<string, string>, ip = '1.1.1.1') =>
    ({ switchToHttp: () => ({ getRequest: () => ({ ip, method, headers }) }) }) as unknown as ExecutionContext;
  const status = async (g: AdminAuthGuard, method: string, headers: Record<string, string>, ip?: string): Promise<number> => {
    try {
      return (await g.canActivate(req(method, headers, ip))) ? 200 : 0;
    } catch (e) {
      return (e as DomainError).status;
    }
  };

  it('accepts a live session for reads, and for writes only with its CSRF token', async () => {
    const sessions = new SessionService(new MemorySessionStore());
    const g = newGuard(sessions);
    const s = await sessions.create();
    const cookie = `theme=dark; sb_session=${s.id}`;
    expect(await status(g, 'GET', { cookie })).toBe(200);
    expect(await status(g, 'HEAD', { cookie })).toBe(200);
    expect(await status(g, 'POST', { cookie })).toBe(403);
    expect(await status(g, 'DELETE', { cookie, 'x-csrf-token': 'wrong' })).toBe(403);
    expect(await status(g, 'PATCH', { cookie, 'x-csrf-token': s.csrfToken })).toBe(200);
  });

  it('refuses an unknown or revoked session with 401, without counting it toward the throttle', async () => {
    const sessions = new SessionService(new MemorySessionStore());
    const g = newGuard(sessions);
    const s = await sessions.create();
    await sessions.revoke(s.id);
    for (let i = 0; i < 25; i++) expect(await status(g, 'GET', { cookie: `sb_session=${s.id}` }, '8.8.8.8')).toBe(401);
    expect(await status(g, 'GET', { cookie: 'sb_session=not-a-session' }, '8.8.8.8')).toBe(401);
    expect(await status(g, 'GET', { 'x-admin-key': KEY }, '8.8.8.8')).toBe(200);
  });

  it('the admin key needs no CSRF token and wins over a cookie; a wrong key is not rescued by a live cookie', async () => {
    const sessions = new SessionService(new MemorySessionStore());
    const g = newGuard(sessions);
    const s = await sessions.create();
    expect(await status(g, 'POST', { 'x-admin-key': KEY })).toBe(200);
    expect(await status(g, 'POST', { 'x-admin-key': 'wrong', cookie: `sb_session=${s.id}` })).toBe(401);
  });

  it('a locked address is refused with a live session too, and sign-in guesses count toward the lock', async () => {
    const sessions = new SessionService(new MemorySessionStore());
    const verifier = new AdminKeyVerifier({ ADMIN_KEY: KEY } as AppConfig);
    const g = newGuard(sessions, verifier);
    const s = await sessions.create();
    for (let i = 0; i < 20; i++) expect(() => verifier.verify('9.9.9.9', `guess-${i}`)).toThrow(expect.objectContaining({ status: 401 }) as Error);
    expect(() => verifier.verify('9.9.9.9', KEY)).toThrow(expect.objectContaining({ status: 429 }) as Error);
    expect(await status(g, 'GET', { cookie: `sb_session=${s.id}` }, '9.9.9.9')).toBe(429);
  });

  it('a user session reaches the admin API only as admin or root; a gone or disabled user ends the session', async () => {
    const sessions = new SessionService(new MemorySessionStore());
    const g = newGuard(sessions);
    const as = async (userId: number, sessionEpoch = userId === 3 ? 1 : 0) => `sb_session=${(await sessions.create({ id: userId, sessionEpoch })).id}`;
    expect(await status(g, 'GET', { cookie: await as(1) })).toBe(403);
    expect(await status(g, 'GET', { cookie: await as(2) })).toBe(200);
    expect(await status(g, 'GET', { cookie: await as(3) })).toBe(200);
    // A session from before the password changed (epoch 0, now 1) has ended.
    expect(await status(g, 'GET', { cookie: await as(3, 0) })).toBe(401);
    const gone = await sessions.create({ id: 9, sessionEpoch: 0 });
    expect(await status(g, 'GET', { cookie: `sb_session=${gone.id}` })).toBe(401);
    expect(await sessions.resolve(gone.id)).toBeNull();
  });
});
