// OIDC and passkey sign-in (SPEC §8): a real OpenID provider (oidc-provider, its own process) driven through the full
// authorization code flow with cookies, and WebAuthn ceremonies answered by a software P-256 authenticator.
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { Secret, TOTP } from 'otpauth';
import { freePort, startStandalone, type System } from '../../support/harness';
import { SoftAuthenticator } from '../../support/soft-authenticator';
import { startIsolatedCluster, type IsolatedCluster } from '../limits/support/private-brokers';

jest.setTimeout(120_000);

type Row = Record<string, any>;

/** The `sb_session` value a response sets, or undefined. */
const sessionCookieOf = (headers: Headers) =>
  headers
    .getSetCookie()
    .find((c) => c.startsWith('sb_session='))
    ?.split(';')[0]
    .slice('sb_session='.length);

/** Cookies per host, as a browser keeps them (path and expiry ignored: each flow uses a fresh jar). */
class Jar {
  private readonly byHost = new Map<string, Map<string, string>>();
  store(url: string, res: Response): void {
    const host = new URL(url).host;
    const jar = this.byHost.get(host) ?? new Map<string, string>();
    this.byHost.set(host, jar);
    for (const c of res.headers.getSetCookie()) {
      const [pair, ...attrs] = c.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (!value || attrs.some((a) => /^\s*max-age=0\s*$/i.test(a))) jar.delete(name);
      else jar.set(name, value);
    }
  }
  header(url: string): string {
    return [...(this.byHost.get(new URL(url).host) ?? new Map<string, string>())].map(([k, v]) => `${k}=${v}`).join('; ');
  }
  get(url: string, name: string): string | undefined {
    return this.byHost.get(new URL(url).host)?.get(name);
  }
  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const res = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), cookie: this.header(url) } });
    this.store(url, res);
    return res;
  }
}

/**
 * A browser's way through: `start` (the gateway's /api/auth/oidc/login) → the provider's login and consent forms → the
 * gateway's callback. `atCallback` may rewrite the callback URL (a forged state); answers the callback's response and
 * the jar.
 */
async function walkOidc(start: string, callback: string, issuer: string, login: string, atCallback: (u: URL) => URL = (u) => u) {
  const jar = new Jar();
  let res = await jar.fetch(start);
  expect(res.status).toBe(302);
  let next = res.headers.get('location')!;
  expect(next.startsWith(`${issuer}/`)).toBe(true);
  for (let hops = 0; hops < 20; hops++) {
    if (next.startsWith(callback)) {
      const cb = atCallback(new URL(next)).href;
      return { res: await jar.fetch(cb), jar };
    }
    res = await jar.fetch(next);
    if (res.status >= 300 && res.status < 400) {
      next = new URL(res.headers.get('location')!, next).href;
      continue;
    }
    const html = await res.text();
    expect(res.status).toBe(200);
    const action = new URL(/action="([^"]+)"/.exec(html)![1], next).href;
    const prompt = /name="prompt" value="([^"]+)"/.exec(html)![1];
    const form: Record<string, string> = prompt === 'login' ? { prompt, login, password: 'anything' } : { prompt };
    res = await jar.fetch(action, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
    expect([302, 303]).toContain(res.status);
    next = new URL(res.headers.get('location')!, action).href;
  }
  throw new Error('the OIDC flow did not reach the callback');
}

/** The real `oidc-provider` in its own process (it is ESM-only), ready to answer. */
async function startIdp(port: number, callback: string): Promise<ChildProcess> {
  const idp = spawn(process.execPath, [path.join(__dirname, '../../support/oidc-provider.mjs'), String(port), callback, 'switchboard', 'idp-client-secret'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    idp.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
    idp.once('exit', (code) => reject(new Error(`oidc-provider exited with ${code}`)));
  });
  return idp;
}

describe('OIDC and passkey sign-in (standalone)', () => {
  let sys: System;
  let idp: ChildProcess;
  let url: string;
  let issuer: string;
  const CALLBACK = () => `${url}/api/auth/oidc/callback`;

  beforeAll(async () => {
    const port = await freePort();
    const idpPort = await freePort();
    url = `http://127.0.0.1:${port}`;
    issuer = `http://127.0.0.1:${idpPort}`;
    idp = await startIdp(idpPort, CALLBACK());
    sys = await startStandalone(
      {
        PORT: String(port),
        ROOT_USERNAME: 'rita',
        ROOT_PASSWORD: 'root-password-123',
        REGISTRATION_ENABLED: 'true',
        OIDC_ISSUER: issuer,
        OIDC_CLIENT_ID: 'switchboard',
        OIDC_CLIENT_SECRET: 'idp-client-secret',
        OIDC_REDIRECT_URL: CALLBACK(),
        OIDC_DISPLAY_NAME: 'Test IdP',
      },
      undefined,
      120_000,
    );
  });
  afterAll(async () => {
    await sys?.stop();
    idp?.kill();
  });

  const oidcSignIn = (login: string, atCallback: (u: URL) => URL = (u) => u) => walkOidc(`${url}/api/auth/oidc/login`, CALLBACK(), issuer, login, atCallback);

  const asUser = async (cookie: string, p: string, init: RequestInit = {}) => {
    const r = await fetch(url + p, { ...init, headers: { cookie: `sb_session=${cookie}`, ...(init.headers as Record<string, string>) } });
    const text = await r.text();
    return { status: r.status, body: (text ? JSON.parse(text) : null) as Row, headers: r.headers };
  };

  it('GET /api/auth/methods offers the configured provider and passkeys', async () => {
    const r = await fetch(`${url}/api/auth/methods`);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ oidc: { name: 'Test IdP' }, passkey: true });
  });

  it('OIDC: the first sign-in creates the user, sets a working session, and the next finds the same user by its link', async () => {
    const first = await oidcSignIn('olivia');
    expect(first.res.status).toBe(302);
    expect(first.res.headers.get('location')).toBe('/');
    const session = first.jar.get(url, 'sb_session')!;
    expect(session).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(first.jar.get(url, 'sb_oidc')).toBeUndefined();
    const me = await asUser(session, '/api/me');
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ name: 'olivia', role: 'user' });
    const s = await asUser(session, '/api/session');
    expect(s.body).toMatchObject({ via: 'session', user: { name: 'olivia', role: 'user' } });
    expect(typeof s.body.csrfToken).toBe('string');

    const again = await oidcSignIn('olivia');
    const me2 = await asUser(again.jar.get(url, 'sb_session')!, '/api/me');
    expect(me2.body.id).toBe(me.body.id);
    const users = await fetch(`${url}/api/users?search=olivia`, { headers: { authorization: `Bearer ${sys.adminKey}` } });
    expect(((await users.json()) as Row).data.filter((u: Row) => u.name.startsWith('olivia'))).toHaveLength(1);
  });

  it('OIDC: a forged state, or a callback without the browser that started the flow, is refused without a session', async () => {
    const forged = await oidcSignIn('oscar', (u) => {
      u.searchParams.set('state', 'forged-state');
      return u;
    });
    expect(forged.res.status).toBe(302);
    expect(forged.res.headers.get('location')).toBe('/?signin_error=oidc_failed');
    expect(forged.jar.get(url, 'sb_session')).toBeUndefined();

    let stolen = '';
    await oidcSignIn('oscar', (u) => {
      stolen = u.href;
      return u;
    });
    // the same callback URL replayed from another browser (no sb_oidc cookie)
    const r = await fetch(stolen, { redirect: 'manual' });
    expect(r.headers.get('location')).toBe('/?signin_error=oidc_state');
    expect(r.headers.getSetCookie().some((c) => c.startsWith('sb_session='))).toBe(false);
  });

  it('OIDC: a user with TOTP on is not asked for a code (the provider decides); a disabled user is refused', async () => {
    const s1 = await oidcSignIn('theo');
    const cookie = s1.jar.get(url, 'sb_session')!;
    const csrf = (await asUser(cookie, '/api/session')).body.csrfToken as string;
    const write = (p: string, body: unknown) =>
      asUser(cookie, p, { method: 'POST', headers: { 'x-csrf-token': csrf, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const setup = await write('/api/me/2fa/setup', {});
    const totp = new TOTP({ algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(setup.body.secret as string) });
    expect((await write('/api/me/2fa/enable', { code: totp.generate() })).status).toBe(200);
    expect((await asUser(cookie, '/api/me')).body.twoFactor.enabled).toBe(true);

    const again = await oidcSignIn('theo');
    expect(again.res.headers.get('location')).toBe('/');
    const id = (await asUser(again.jar.get(url, 'sb_session')!, '/api/me')).body.id as number;

    const off = await fetch(`${url}/api/users/${id}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${sys.adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'disabled' }),
    });
    expect(off.status).toBe(200);
    const refused = await oidcSignIn('theo');
    expect(refused.res.headers.get('location')).toBe('/?signin_error=account_disabled');
    expect(refused.jar.get(url, 'sb_session')).toBeUndefined();
  });

  it('OIDC: an account made by OIDC has no password; right after signing in it may set one, which then signs in too', async () => {
    const s = await oidcSignIn('nora');
    const cookie = s.jar.get(url, 'sb_session')!;
    expect((await asUser(cookie, '/api/me')).body.hasPassword).toBe(false);
    const csrf = (await asUser(cookie, '/api/session')).body.csrfToken as string;
    const set = await asUser(cookie, '/api/me/password', {
      method: 'POST',
      headers: { 'x-csrf-token': csrf, 'content-type': 'application/json' },
      body: JSON.stringify({ newPassword: 'nora-password-1' }),
    });
    expect([set.status, set.body.user]).toEqual([200, expect.objectContaining({ name: 'nora', role: 'user' })]);
    const renewed = sessionCookieOf(set.headers)!;
    expect((await asUser(renewed, '/api/me')).body.hasPassword).toBe(true);
    expect((await asUser(cookie, '/api/me')).status).toBe(401);
    const byPassword = await fetch(`${url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'nora', password: 'nora-password-1' }),
    });
    expect(byPassword.status).toBe(200);
    // The provider still signs it in as well.
    expect((await oidcSignIn('nora')).res.headers.get('location')).toBe('/');
  });

  describe('passkeys', () => {
    let root: { cookie: string; csrf: string };
    const authr = () => new SoftAuthenticator(url);
    let key: SoftAuthenticator;
    const call = (method: string, p: string, body?: unknown, csrf = true) =>
      asUser(root.cookie, p, {
        method,
        headers: { ...(csrf ? { 'x-csrf-token': root.csrf } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const loginOptions = async () => {
      const r = await fetch(`${url}/api/auth/passkey/login/options`, { method: 'POST' });
      expect(r.status).toBe(200);
      return (await r.json()) as Row;
    };
    const passkeyLogin = async (response: Row) => {
      const r = await fetch(`${url}/api/auth/passkey/login/verify`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ response }),
      });
      return {
        status: r.status,
        body: (await r.json()) as Row,
        cookie: r.headers
          .getSetCookie()
          .find((c) => c.startsWith('sb_session='))
          ?.split(';')[0]
          .slice('sb_session='.length),
      };
    };

    beforeAll(async () => {
      const r = await fetch(`${url}/api/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'rita', password: 'root-password-123' }),
      });
      expect(r.status).toBe(200);
      root = { cookie: r.headers.getSetCookie()[0].split(';')[0].slice('sb_session='.length), csrf: ((await r.json()) as Row).csrfToken };
      key = authr();
    });

    it('a signed-in user registers a passkey (options → verify), which its list shows; the challenge works once', async () => {
      expect((await call('POST', '/api/auth/passkey/register/options', undefined, false)).status).toBe(403);
      const opts = await call('POST', '/api/auth/passkey/register/options');
      expect(opts.status).toBe(200);
      expect(opts.body.rp).toEqual({ name: 'Switchboard', id: '127.0.0.1' });
      expect(opts.body.authenticatorSelection).toMatchObject({ residentKey: 'required', userVerification: 'required' });
      const made = await call('POST', '/api/auth/passkey/register/verify', { name: 'laptop', response: key.create(opts.body) });
      expect(made.status).toBe(201);
      expect(made.body).toMatchObject({ name: 'laptop', transports: ['internal'], lastUsedAt: null });
      // the same answer again: its challenge is spent
      const again = await call('POST', '/api/auth/passkey/register/verify', { name: 'laptop', response: key.create(opts.body) });
      expect(again.status).toBe(400);
      expect(again.body.error.code).toBe('invalid_challenge');
      const list = await call('GET', '/api/me/passkeys');
      expect(list.body.data).toEqual([expect.objectContaining({ id: made.body.id, name: 'laptop' })]);
      // a registration made for another origin is refused
      const other = await call('POST', '/api/auth/passkey/register/options');
      const wrong = await call('POST', '/api/auth/passkey/register/verify', { name: 'x', response: authr().create(other.body, 'http://evil.test') });
      expect(wrong.status).toBe(400);
      expect(wrong.body.error.code).toBe('invalid_passkey');
    });

    it('signs in without a password: a session for the passkey owner; the counter must grow (a replay is refused)', async () => {
      const ok = await passkeyLogin(key.get(await loginOptions(), '127.0.0.1'));
      expect(ok.status).toBe(200);
      expect(ok.body.user).toMatchObject({ name: 'rita', role: 'root' });
      expect((await asUser(ok.cookie!, '/api/me')).body.name).toBe('rita');

      // the same assertion again: its challenge is spent
      const opts = await loginOptions();
      const first = key.get(opts, '127.0.0.1');
      expect((await passkeyLogin(first)).status).toBe(200);
      const replay = await passkeyLogin(first);
      expect(replay.status).toBe(400);
      expect(replay.body.error.code).toBe('invalid_challenge');

      // a fresh challenge signed with an old counter (a cloned authenticator)
      key.counter = 1;
      const cloned = await passkeyLogin(key.get(await loginOptions(), '127.0.0.1'));
      expect(cloned.status).toBe(401);
      expect(cloned.body.error.code).toBe('invalid_passkey');
      expect(cloned.cookie).toBeUndefined();
      key.counter = 10;
      expect((await passkeyLogin(key.get(await loginOptions(), '127.0.0.1'))).status).toBe(200);

      // signed for another site
      const phished = await passkeyLogin(key.get(await loginOptions(), '127.0.0.1', 'http://evil.test'));
      expect(phished.status).toBe(401);
      // an unknown credential
      expect((await passkeyLogin(authr().get(await loginOptions(), '127.0.0.1'))).status).toBe(401);
    });

    it('renames and deletes its own passkey; a deleted passkey no longer signs in', async () => {
      const [pk] = (await call('GET', '/api/me/passkeys')).body.data as Row[];
      expect(pk.lastUsedAt).not.toBeNull();
      expect((await call('PATCH', `/api/me/passkeys/${pk.id}`, { name: 'work laptop' })).body.name).toBe('work laptop');
      // another user cannot see or delete it
      const olivia = await oidcSignIn('olivia');
      const s = (await asUser(olivia.jar.get(url, 'sb_session')!, '/api/session')).body;
      const theirs = await asUser(olivia.jar.get(url, 'sb_session')!, `/api/me/passkeys/${pk.id}`, {
        method: 'DELETE',
        headers: { 'x-csrf-token': s.csrfToken },
      });
      expect(theirs.status).toBe(404);
      expect((await call('DELETE', `/api/me/passkeys/${pk.id}`)).status).toBe(200);
      expect((await call('GET', '/api/me/passkeys')).body.data).toEqual([]);
      key.counter = 50;
      expect((await passkeyLogin(key.get(await loginOptions(), '127.0.0.1'))).status).toBe(401);
    });
  });
});

// The cluster: the gateway asks auth over NATS (auth.signin.v1, with the bus's permissions), sessions live in Redis.
describe('passkey sign-in (cluster)', () => {
  let sys: IsolatedCluster | null = null;
  afterAll(async () => {
    await sys?.stop();
  });

  it('registers a passkey and signs in with it through auth over the bus; a replayed counter is refused', async () => {
    sys = await startIsolatedCluster({ gateways: 1, env: { ROOT_USERNAME: 'rita', ROOT_PASSWORD: 'root-password-123' }, fallbackRedisDb: 13 });
    if (!sys) return;
    const url = sys.url;
    const post = async (p: string, body?: unknown, headers: Record<string, string> = {}) => {
      const r = await fetch(url + p, {
        method: 'POST',
        headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: r.status, body: (await r.json()) as Row, cookies: r.headers.getSetCookie() };
    };
    const signedIn = await post('/api/session', { username: 'rita', password: 'root-password-123' });
    expect(signedIn.status).toBe(200);
    const as = { cookie: signedIn.cookies[0].split(';')[0], 'x-csrf-token': signedIn.body.csrfToken as string };
    const key = new SoftAuthenticator(url);
    const opts = await post('/api/auth/passkey/register/options', undefined, as);
    expect(opts.status).toBe(200);
    expect((await post('/api/auth/passkey/register/verify', { name: 'cluster', response: key.create(opts.body) }, as)).status).toBe(201);

    const login = async () => post('/api/auth/passkey/login/verify', { response: key.get((await post('/api/auth/passkey/login/options')).body, '127.0.0.1') });
    key.counter = 5;
    const ok = await login();
    expect(ok.status).toBe(200);
    expect(ok.body.user).toMatchObject({ name: 'rita' });
    const me = await fetch(`${url}/api/me`, { headers: { cookie: ok.cookies[0].split(';')[0] } });
    expect(((await me.json()) as Row).name).toBe('rita');
    key.counter = 5; // signed again with the counter already seen
    expect((await login()).status).toBe(401);
  });
});

// OIDC in a cluster: a load balancer in front of two gateway replicas sends the start of the flow to one and the
// provider's redirect back to the other. Nothing of the flow stays in a replica's memory: the sealed sb_oidc cookie
// carries state, nonce and PKCE verifier, and the session it ends with lives in Redis.
describe('OIDC sign-in across two gateway replicas (cluster)', () => {
  let sys: IsolatedCluster | null = null;
  let idp: ChildProcess | undefined;
  let lb: http.Server | undefined;
  afterAll(async () => {
    await new Promise((resolve) => (lb ? lb.close(resolve) : resolve(undefined)));
    await sys?.stop();
    idp?.kill();
  });

  it('begins on replica A, finishes on replica B; the session, a first password and sign-out everywhere hold on both', async () => {
    const [idpPort, lbPort] = [await freePort(), await freePort()];
    const issuer = `http://127.0.0.1:${idpPort}`;
    const front = `http://127.0.0.1:${lbPort}`;
    const callback = `${front}/api/auth/oidc/callback`;
    idp = await startIdp(idpPort, callback);
    sys = await startIsolatedCluster({
      gateways: 2,
      fallbackRedisDb: 15,
      env: {
        REGISTRATION_ENABLED: 'true',
        OIDC_ISSUER: issuer,
        OIDC_CLIENT_ID: 'switchboard',
        OIDC_CLIENT_SECRET: 'idp-client-secret',
        OIDC_REDIRECT_URL: callback,
      },
    });
    if (!sys) return;
    const [a, b] = sys.gateways;
    const served: string[] = [];
    lb = http.createServer((req, res) => {
      const toB = req.url!.startsWith('/api/auth/oidc/callback');
      served.push(`${toB ? 'B' : 'A'} ${req.url!.split('?')[0]}`);
      const up = http.request(`${toB ? b : a}${req.url}`, { method: req.method, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode!, r.headers);
        r.pipe(res);
      });
      up.on('error', (e) => res.writeHead(502).end(e.message));
      req.pipe(up);
    });
    await new Promise<void>((resolve) => lb!.listen(lbPort, '127.0.0.1', resolve));

    const { res, jar } = await walkOidc(`${front}/api/auth/oidc/login`, callback, issuer, 'carla');
    expect(served).toEqual(['A /api/auth/oidc/login', 'B /api/auth/oidc/callback']);
    expect([res.status, res.headers.get('location')]).toEqual([302, '/']);
    expect(jar.get(front, 'sb_oidc')).toBeUndefined();
    const cookie = `sb_session=${jar.get(front, 'sb_session')}`;
    for (const replica of [a, b]) {
      const me = await fetch(`${replica}/api/me`, { headers: { cookie } });
      expect([replica, me.status, ((await me.json()) as Row).name]).toEqual([replica, 200, 'carla']);
    }
    // A write on A with the CSRF token B handed out.
    const csrf = ((await (await fetch(`${b}/api/session`, { headers: { cookie } })).json()) as Row).csrfToken as string;
    const write = (replica: string, p: string, as: { cookie: string; csrf: string }, body?: unknown) =>
      fetch(replica + p, {
        method: 'POST',
        headers: { cookie: as.cookie, 'x-csrf-token': as.csrf, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    expect((await write(a, '/api/me/tokens', { cookie, csrf }, { name: 'from-a' })).status).toBe(201);

    // Its first password, set on B moments after signing in: the old session ends on A too; the new one works on A.
    const set = await write(b, '/api/me/password', { cookie, csrf }, { newPassword: 'carla-password-1' });
    expect(set.status).toBe(200);
    const renewed = { cookie: `sb_session=${sessionCookieOf(set.headers)}`, csrf: ((await set.json()) as Row).csrfToken as string };
    expect((await fetch(`${a}/api/me`, { headers: { cookie } })).status).toBe(401);
    expect((await fetch(`${a}/api/me`, { headers: { cookie: renewed.cookie } })).status).toBe(200);
    // Sign out everywhere on A ends the session on B.
    expect((await write(a, '/api/me/sessions/revoke', renewed)).status).toBe(200);
    expect((await fetch(`${b}/api/me`, { headers: { cookie: renewed.cookie } })).status).toBe(401);
  });
});
