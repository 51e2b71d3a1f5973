// Accounts (SPEC §8): password sign-in with its throttle, roles on the admin API, CSRF on cookie writes, TOTP and
// one-use backup codes, a user's own data under /api/me (and nobody else's), session revocation, registration off.
// Both topologies: sessions live in memory (standalone) or Redis (cluster), users in auth behind the bus.
import OpenAI from 'openai';
import { Secret, TOTP } from 'otpauth';
import { startMockUpstream, type MockUpstream } from '@switchboard/testing';
import { adminClient, eventually, startStandalone, type System } from '../../support/harness';
import { startIsolatedCluster, type IsolatedCluster } from '../limits/support/private-brokers';

jest.setTimeout(180_000);

type Topology = 'standalone' | 'cluster';
type Row = Record<string, any>;

const ROOT = { username: 'rita', password: 'root-password-123' };

describe.each<Topology>(['standalone', 'cluster'])('accounts (%s)', (topology) => {
  let mock: MockUpstream;
  let sys: System | IsolatedCluster | null = null;
  let url: string;
  let skip = false;
  const it_ = (name: string, fn: () => Promise<void>) => it(name, async () => (skip ? undefined : fn()));

  /** A cookie-carrying client: what the console does (x-csrf-token on writes unless told not to). */
  interface Session {
    cookie: string;
    csrf: string;
    user: Row;
    call: (method: string, path: string, body?: unknown, opts?: { csrf?: boolean }) => Promise<{ status: number; body: Row }>;
  }
  const login = async (username: string, password: string, totp?: string) => {
    const r = await fetch(`${url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password, ...(totp === undefined ? {} : { totp }) }),
    });
    return { status: r.status, headers: r.headers, body: (await r.json()) as Row };
  };
  const signIn = async (username: string, password: string, totp?: string): Promise<Session> => {
    const r = await login(username, password, totp);
    if (r.status !== 200) throw new Error(`sign-in ${username}: ${r.status} ${JSON.stringify(r.body)}`);
    const cookie = (r.headers.get('set-cookie') ?? '').split(';')[0];
    const csrf = r.body.csrfToken as string;
    const call: Session['call'] = async (method, path, body, opts = {}) => {
      const res = await fetch(url + path, {
        method,
        headers: {
          cookie,
          ...(opts.csrf === false ? {} : { 'x-csrf-token': csrf }),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: (text ? JSON.parse(text) : null) as Row };
    };
    return { cookie, csrf, user: r.body.user as Row, call };
  };

  let root: Session;
  const admin = () => adminClient(url, sys!.adminKey);

  beforeAll(async () => {
    mock = await startMockUpstream();
    const env = { ROOT_USERNAME: ROOT.username, ROOT_PASSWORD: ROOT.password, USER_MAX_TOKENS: '2' };
    if (topology === 'standalone') sys = await startStandalone(env);
    else {
      sys = await startIsolatedCluster({ gateways: 1, env, fallbackRedisDb: 14 });
      if (!sys) {
        skip = true;
        return;
      }
    }
    url = sys.url;
    expect((await admin().post('/api/channels', { name: 'mock', type: 'openai', keys: ['sk-up'], models: ['gpt-4o-mini'], baseUrl: mock.url })).status).toBe(
      201,
    );
    root = await signIn(ROOT.username, ROOT.password);
  });
  afterAll(async () => {
    await sys?.stop();
    await mock?.close();
  });

  it_('the root from ROOT_USERNAME signs in with its password; root makes an admin and users, audited under its name', async () => {
    expect(root.user).toEqual({ id: expect.any(Number), name: 'rita', role: 'root', orgId: null });
    expect(root.user).not.toHaveProperty('sessionEpoch');
    expect((await root.call('GET', '/api/session')).body).toMatchObject({ via: 'session', user: { name: 'rita', role: 'root' } });
    for (const [name, role] of [
      ['adam', 'admin'],
      ['ursula', 'user'],
      ['victor', 'user'],
    ]) {
      const r = await root.call('POST', '/api/users', { name, role, password: `${name}-password-1`, balance: 10 });
      expect([r.status, r.body.role, r.body.hasPassword, r.body]).toEqual([201, role, true, expect.not.objectContaining({ passwordHash: expect.anything() })]);
    }
    const audit = await admin().get<{ data: Row[] }>('/api/audit?entity=user&action=create');
    expect(audit.body.data.filter((a) => ['adam', 'ursula', 'victor'].includes(a.after?.name)).map((a) => a.actor)).toEqual(
      Array(3).fill(`rita (#${root.user.id})`),
    );
    // The admin key's changes are named too.
    const byKey = await admin().patch<Row>(`/api/users/${root.user.id}`, { maxConcurrency: 5 });
    expect(byKey.status).toBe(200);
    const last = await admin().get<{ data: Row[] }>(`/api/audit?entity=user&entityId=${root.user.id}&action=update`);
    expect(last.body.data[0].actor).toBe('admin key');
  });

  it_('a wrong password and an unknown name get the same 401; the console session and the admin key both still work', async () => {
    const wrong = await login('ursula', 'not-her-password');
    const unknown = await login('nobody-here', 'whatever-password');
    expect([wrong.status, wrong.body]).toEqual([401, unknown.body]);
    expect(wrong.body.error.code).toBe('invalid_credentials');
    expect(wrong.headers.get('set-cookie')).toBeNull();
    expect(
      (
        await fetch(`${url}/api/session`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ adminKey: sys!.adminKey }),
        })
      ).status,
    ).toBe(200);
  });

  it_('roles: a user gets 403 from the admin API; an admin reaches it but cannot make or change admins; root can', async () => {
    const u = await signIn('ursula', 'ursula-password-1');
    expect(u.user.role).toBe('user');
    for (const [method, path] of [
      ['GET', '/api/channels'],
      ['GET', '/api/users'],
      ['POST', '/api/tokens'],
      ['GET', '/api/settings'],
    ]) {
      expect([method, path, (await u.call(method, path, method === 'POST' ? {} : undefined)).status]).toEqual([method, path, 403]);
    }
    expect((await u.call('GET', '/api/me')).body).toMatchObject({ name: 'ursula', role: 'user', tokens: { count: 0, max: 2 }, twoFactor: { enabled: false } });
    const a = await signIn('adam', 'adam-password-1');
    expect((await a.call('GET', '/api/channels')).status).toBe(200);
    expect((await a.call('POST', '/api/users', { name: 'eve', role: 'admin', password: 'eve-password-1' })).status).toBe(403);
    expect((await a.call('PATCH', `/api/users/${root.user.id}`, { password: 'taken-over-123' })).status).toBe(403);
    expect((await a.call('PATCH', `/api/users/${u.user.id}`, { role: 'admin' })).status).toBe(403);
    const plain = await a.call('POST', '/api/users', { name: 'walter', password: 'walter-password-1' });
    expect([plain.status, plain.body.role]).toEqual([201, 'user']);
    // A demoted admin loses the admin API on its next request (the role is checked on each).
    expect((await root.call('PATCH', `/api/users/${a.user.id}`, { role: 'user' })).status).toBe(200);
    expect((await a.call('GET', '/api/channels')).status).toBe(403);
    expect((await root.call('PATCH', `/api/users/${a.user.id}`, { role: 'admin' })).status).toBe(200);
  });

  it_('CSRF: a cookie write without x-csrf-token is 403; the admin key needs none', async () => {
    const u = await signIn('ursula', 'ursula-password-1');
    const refused = await u.call('POST', '/api/me/tokens', { name: 'no-csrf' }, { csrf: false });
    expect([refused.status, refused.body.error.message]).toEqual([403, expect.stringContaining('x-csrf-token')]);
    expect((await u.call('GET', '/api/me/tokens')).body.data).toEqual([]);
    expect((await admin().post('/api/groups', { name: 'no-csrf-needed' })).status).toBe(201);
  });

  it_('isolation: each user sees and deletes only its own tokens, logs and usage; quotas stay what an admin set', async () => {
    const u = await signIn('ursula', 'ursula-password-1');
    const v = await signIn('victor', 'victor-password-1');
    const t = await u.call('POST', '/api/me/tokens', { name: 'mine', quota: 5 });
    expect([t.status, t.body.userId, t.body.key]).toEqual([201, u.user.id, expect.stringMatching(/^sk-/)]);
    // No way to pick a group or raise limits on one's own token.
    expect((await u.call('POST', '/api/me/tokens', { name: 'x', group: 'vip' })).status).toBe(400);
    expect((await u.call('POST', '/api/me/tokens', { name: 'x', userId: v.user.id })).status).toBe(400);
    expect((await u.call('POST', '/api/me/tokens', { name: 'second' })).status).toBe(201);
    const third = await u.call('POST', '/api/me/tokens', { name: 'third' });
    expect([third.status, third.body.error.code]).toEqual([409, 'token_limit']);

    const openai = new OpenAI({ apiKey: t.body.key, baseURL: `${url}/v1` });
    await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    await eventually(async () => ((await u.call('GET', '/api/me/logs')).body.data.length === 1 ? true : undefined), 20_000, "ursula's log");

    expect((await v.call('GET', '/api/me/tokens')).body.data).toEqual([]);
    expect((await v.call('DELETE', `/api/me/tokens/${t.body.id}`)).status).toBe(404);
    expect((await v.call('GET', `/api/me/logs?userId=${u.user.id}&tokenId=${t.body.id}`)).body.data).toEqual([]);
    expect((await v.call('GET', '/api/me/usage')).body.totals.requests).toBe(0);
    const mine = await u.call('GET', `/api/me/logs?userId=${v.user.id}`);
    expect(mine.body.data.map((l: Row) => [l.userId, l.tokenId, l.channelId])).toEqual([[u.user.id, t.body.id, undefined]]);
    const usage = await u.call('GET', '/api/me/usage');
    expect([usage.body.totals.requests, usage.body.topUsers, usage.body.byChannel]).toEqual([1, undefined, undefined]);
    expect((await u.call('GET', '/api/me/tokens')).body.data.map((x: Row) => x.name).sort()).toEqual(['mine', 'second']);
    expect((await u.call('DELETE', `/api/me/tokens/${t.body.id}`)).status).toBe(200);
    const audit = await admin().get<{ data: Row[] }>(`/api/audit?entity=token&entityId=${t.body.id}`);
    expect(audit.body.data.map((a) => [a.action, a.actor])).toEqual([
      ['delete', `ursula (#${u.user.id})`],
      ['create', `ursula (#${u.user.id})`],
    ]);
    // The admin key is not a user: /api/me is not for it.
    expect((await admin().get('/api/me')).status).toBe(403);
  });

  it_('TOTP: setup, enable with a code, then sign-in needs a code; backup codes work once each; disable needs a code', async () => {
    const u = await signIn('victor', 'victor-password-1');
    const setup = await u.call('POST', '/api/me/2fa/setup');
    expect([setup.status, setup.body.uri]).toEqual([200, expect.stringMatching(/^otpauth:\/\/totp\/Switchboard:victor\?/)]);
    const totp = new TOTP({ issuer: 'Switchboard', label: 'victor', algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(setup.body.secret) });
    const now = Date.now();
    expect((await u.call('POST', '/api/me/2fa/enable', { code: '000000' === totp.generate({ timestamp: now }) ? '111111' : '000000' })).status).toBe(400);
    const enabled = await u.call('POST', '/api/me/2fa/enable', { code: totp.generate({ timestamp: now }) });
    expect([enabled.status, enabled.body.backupCodes]).toEqual([200, expect.arrayContaining([expect.stringMatching(/^[A-Z2-9]{5}-[A-Z2-9]{5}$/)])]);
    const codes = enabled.body.backupCodes as string[];
    expect(codes).toHaveLength(8);
    expect((await u.call('GET', '/api/me')).body.twoFactor).toEqual({ enabled: true, backupCodesLeft: 8 });

    const bare = await login('victor', 'victor-password-1');
    expect([bare.status, bare.body.error.code, bare.headers.get('set-cookie')]).toEqual([401, 'totp_required', null]);
    // The code that enabled 2FA was used: the same step cannot sign in. The next step's code can (one step of drift).
    expect((await login('victor', 'victor-password-1', totp.generate({ timestamp: now }))).body.error?.code).toBe('invalid_totp');
    expect((await login('victor', 'victor-password-1', totp.generate({ timestamp: now + 30_000 }))).status).toBe(200);

    const withBackup = await login('victor', 'victor-password-1', codes[0].toLowerCase());
    expect(withBackup.status).toBe(200);
    const again = await login('victor', 'victor-password-1', codes[0]);
    expect([again.status, again.body.error.code]).toEqual([401, 'invalid_totp']);
    expect((await u.call('GET', '/api/me')).body.twoFactor).toEqual({ enabled: true, backupCodesLeft: 7 });

    expect((await u.call('POST', '/api/me/2fa/disable', { code: 'WRONG-CODES' })).status).toBe(400);
    expect((await u.call('POST', '/api/me/2fa/disable', { code: codes[1] })).status).toBe(200);
    expect((await login('victor', 'victor-password-1')).status).toBe(200);
  });

  it_('revocation: sign-out ends the session on the server; disabling a user ends its sessions', async () => {
    const u = await signIn('ursula', 'ursula-password-1');
    expect((await u.call('GET', '/api/me')).status).toBe(200);
    expect((await u.call('DELETE', '/api/session')).status).toBe(204);
    expect((await u.call('GET', '/api/me')).status).toBe(401);
    const w = await signIn('walter', 'walter-password-1');
    expect((await w.call('GET', '/api/me')).status).toBe(200);
    expect((await root.call('PATCH', `/api/users/${w.user.id}`, { status: 'disabled' })).status).toBe(200);
    expect((await w.call('GET', '/api/me')).status).toBe(401);
    const refused = await login('walter', 'walter-password-1');
    expect([refused.status, refused.body.error.code]).toEqual([403, 'account_disabled']);
    // A new password set by an admin ends the user's sessions made with the old one.
    const v = await signIn('victor', 'victor-password-1');
    expect((await v.call('GET', '/api/me')).status).toBe(200);
    expect((await root.call('PATCH', `/api/users/${v.user.id}`, { password: 'victor-password-2' })).status).toBe(200);
    expect((await v.call('GET', '/api/me')).status).toBe(401);
    expect((await login('victor', 'victor-password-1')).status).toBe(401);
    expect((await (await signIn('victor', 'victor-password-2')).call('GET', '/api/me')).status).toBe(200);
  });

  /** The `sb_session` value a response sets ('' when it clears it), or undefined when it sets none. */
  const setSession = (headers: Headers) =>
    headers
      .getSetCookie()
      .find((c) => c.startsWith('sb_session='))
      ?.split(';')[0]
      .slice('sb_session='.length);
  /** A Session for a cookie and CSRF token a password change answered (the caller's replacement session). */
  const sessionOf = (cookieValue: string, csrf: string, user: Row): Session => {
    const cookie = `sb_session=${cookieValue}`;
    return {
      cookie,
      csrf,
      user,
      call: async (method, path, body) => {
        const res = await fetch(url + path, {
          method,
          headers: { cookie, 'x-csrf-token': csrf, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        const text = await res.text();
        return { status: res.status, body: (text ? JSON.parse(text) : null) as Row };
      },
    };
  };
  const changePassword = async (s: Session, body: unknown, csrf = true) => {
    const r = await fetch(`${url}/api/me/password`, {
      method: 'POST',
      headers: { cookie: s.cookie, 'content-type': 'application/json', ...(csrf ? { 'x-csrf-token': s.csrf } : {}) },
      body: JSON.stringify(body),
    });
    return { status: r.status, body: (await r.json()) as Row, cookie: setSession(r.headers), headers: r.headers };
  };

  it_('password change: the current password, the policy and 2FA are checked; other sessions end, the caller carries on; audited', async () => {
    expect((await root.call('POST', '/api/users', { name: 'petra', password: 'petra-password-1' })).status).toBe(201);
    const mine = await signIn('petra', 'petra-password-1');
    const other = await signIn('petra', 'petra-password-1');
    const id = mine.user.id as number;
    expect((await changePassword(mine, { currentPassword: 'petra-password-1', newPassword: 'petra-password-2' }, false)).status).toBe(403);
    const missing = await changePassword(mine, { newPassword: 'petra-password-2' });
    expect([missing.status, missing.body.error.code, missing.body.error.message]).toEqual([400, 'invalid_request', 'currentPassword: required']);
    const wrong = await changePassword(mine, { currentPassword: 'not-petras-password', newPassword: 'petra-password-2' });
    expect([wrong.status, wrong.body.error.code, wrong.cookie]).toEqual([400, 'invalid_credentials', undefined]);
    // The registration policy, before any password is checked.
    const short = await changePassword(mine, { currentPassword: 'petra-password-1', newPassword: 'short' });
    expect([short.status, short.body.error.message]).toEqual([400, 'newPassword: must be at least 8 characters']);
    // Refusals leave every session as it was.
    expect((await mine.call('GET', '/api/me')).status).toBe(200);
    expect((await other.call('GET', '/api/me')).status).toBe(200);

    const ok = await changePassword(mine, { currentPassword: 'petra-password-1', newPassword: 'petra-password-2' });
    expect([ok.status, ok.body]).toEqual([
      200,
      { csrfToken: expect.any(String), expiresAt: expect.any(String), user: { id, name: 'petra', role: 'user', orgId: null } },
    ]);
    expect(ok.cookie).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(`sb_session=${ok.cookie}`).not.toBe(mine.cookie);
    expect(ok.headers.get('cache-control')).toBe('no-store');
    // Both sessions made with the old password have ended; the caller's replacement works, writes included.
    expect((await other.call('GET', '/api/me')).status).toBe(401);
    expect((await mine.call('GET', '/api/me')).status).toBe(401);
    const renewed = sessionOf(ok.cookie!, ok.body.csrfToken as string, ok.body.user as Row);
    expect((await renewed.call('GET', '/api/me')).body).toMatchObject({ name: 'petra', hasPassword: true });
    expect((await renewed.call('POST', '/api/me/tokens', { name: 'after-change' })).status).toBe(201);
    expect((await login('petra', 'petra-password-1')).status).toBe(401);
    expect((await login('petra', 'petra-password-2')).status).toBe(200);
    const audit = await admin().get<{ data: Row[] }>(`/api/audit?entity=user&entityId=${id}&action=update`);
    expect(audit.body.data[0]).toMatchObject({ actor: `petra (#${id})`, after: { change: 'password changed; other sessions ended' } });
    expect(JSON.stringify(audit.body.data[0])).not.toContain('argon2');

    // With 2FA on, the code (or a backup code) is needed too.
    const setup = await renewed.call('POST', '/api/me/2fa/setup');
    const totp = new TOTP({ algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(setup.body.secret) });
    const codes = (await renewed.call('POST', '/api/me/2fa/enable', { code: totp.generate() })).body.backupCodes as string[];
    const noCode = await changePassword(renewed, { currentPassword: 'petra-password-2', newPassword: 'petra-password-3' });
    expect([noCode.status, noCode.body.error.code]).toEqual([400, 'totp_required']);
    const badCode = await changePassword(renewed, { currentPassword: 'petra-password-2', newPassword: 'petra-password-3', totp: 'AAAAA-AAAAA' });
    expect([badCode.status, badCode.body.error.code]).toEqual([400, 'invalid_totp']);
    const withBackup = await changePassword(renewed, { currentPassword: 'petra-password-2', newPassword: 'petra-password-3', totp: codes[0] });
    expect(withBackup.status).toBe(200);
    expect((await login('petra', 'petra-password-3', codes[1])).status).toBe(200);
  });

  it_('password change: wrong current passwords count as failed sign-ins of that user (429 for both)', async () => {
    expect((await root.call('POST', '/api/users', { name: 'quinn', password: 'quinn-password-1' })).status).toBe(201);
    const q = await signIn('quinn', 'quinn-password-1');
    for (let i = 0; i < 5; i++) expect((await changePassword(q, { currentPassword: `guess-${i}-xxxx`, newPassword: 'quinn-password-2' })).status).toBe(400);
    const locked = await changePassword(q, { currentPassword: 'quinn-password-1', newPassword: 'quinn-password-2' });
    expect([locked.status, locked.body.error.code, Number(locked.headers.get('retry-after')) > 0]).toEqual([429, 'too_many_attempts', true]);
    expect((await login('quinn', 'quinn-password-1')).status).toBe(429);
    // The session itself is untouched by the lock.
    expect((await q.call('GET', '/api/me')).status).toBe(200);
  });

  it_('sign out everywhere: every session of the user ends, the caller’s too; other users keep theirs; audited', async () => {
    expect((await root.call('POST', '/api/users', { name: 'sven', password: 'sven-password-1' })).status).toBe(201);
    const a = await signIn('sven', 'sven-password-1');
    const b = await signIn('sven', 'sven-password-1');
    const u = await signIn('ursula', 'ursula-password-1');
    expect((await a.call('POST', '/api/me/sessions/revoke', undefined, { csrf: false })).status).toBe(403);
    const r = await fetch(`${url}/api/me/sessions/revoke`, { method: 'POST', headers: { cookie: a.cookie, 'x-csrf-token': a.csrf } });
    expect([r.status, await r.json()]).toEqual([200, { revoked: true }]);
    expect(setSession(r.headers)).toBe('');
    expect(r.headers.getSetCookie().find((c) => c.startsWith('sb_session='))).toMatch(/Max-Age=0/);
    expect((await a.call('GET', '/api/me')).status).toBe(401);
    expect((await b.call('GET', '/api/me')).status).toBe(401);
    expect((await u.call('GET', '/api/me')).status).toBe(200);
    // The password is unchanged: signing in again works.
    expect((await (await signIn('sven', 'sven-password-1')).call('GET', '/api/me')).status).toBe(200);
    const audit = await admin().get<{ data: Row[] }>(`/api/audit?entity=user&entityId=${a.user.id}&action=update`);
    expect(audit.body.data[0]).toMatchObject({ actor: `sven (#${a.user.id})`, after: { change: 'signed out everywhere' } });
    // The admin key has no account to sign out of.
    expect((await admin().post('/api/me/sessions/revoke', {})).status).toBe(403);
  });

  it_('registration is off by default', async () => {
    const r = await fetch(`${url}/api/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'newbie', password: 'newbie-password' }),
    });
    expect([r.status, ((await r.json()) as Row).error.code]).toEqual([403, 'registration_disabled']);
  });

  it_('rate limit: five wrong passwords for a name lock it (429 with Retry-After), even for the right password', async () => {
    for (let i = 0; i < 5; i++) expect((await login('adam', `guess-${i}-xxxx`)).status).toBe(401);
    const locked = await login('adam', 'adam-password-1');
    expect([locked.status, locked.body.error.code, Number(locked.headers.get('retry-after'))]).toEqual([429, 'too_many_attempts', expect.any(Number)]);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another name from the same address is not locked.
    expect((await login('ursula', 'ursula-password-1')).status).toBe(200);
  });
});
