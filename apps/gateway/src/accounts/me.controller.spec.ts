import { Module } from '@nestjs/common';
import { APP_FILTER, NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { APP_CONFIG, type AppConfig } from '@switchboard/config';
import type { AccountRequest } from '@switchboard/contracts';
import { Bus } from '@switchboard/messaging';
import { AdminKeyVerifier } from '../admin/admin-key.verifier';
import { EdgeErrorFilter } from '../edge/edge-error.filter';
import { installJsonBodyParser } from '../edge/json-body.parser';
import { MemorySessionStore } from '../session/memory-session.store';
import { SessionIssuer } from '../session/session-issuer';
import { SESSION_CLOCK, SessionService } from '../session/session.service';
import { SESSION_STORE } from '../session/session.store';
import { AccountDirectory } from './account-directory';
import { AccountGuard } from './account.guards';
import { ConsoleAuthenticator } from './console-authenticator';
import { LoginThrottle } from './login-throttle';
import { MeController, RECENT_SIGN_IN_MS } from './me.controller';

const T0 = Date.UTC(2026, 11, 7, 12, 0, 0);
let now = T0;
/** auth as the gateway sees it: one user whose epoch a password change or sign-out-everywhere raises. */
const user = { id: 7, name: 'nora', role: 'user' as const, sessionEpoch: 0, orgId: null };
const asked: AccountRequest[] = [];
const bus = {
  request: (_subject: string, req: AccountRequest) => {
    asked.push(req);
    if (req.op === 'whoami') return Promise.resolve({ ...user });
    if (req.op === 'password.change' || req.op === 'sessions.revoke') user.sessionEpoch++;
    return Promise.resolve(req.op === 'password.change' ? { ...user } : { revoked: true });
  },
};

@Module({
  controllers: [MeController],
  providers: [
    { provide: Bus, useValue: bus },
    { provide: APP_CONFIG, useValue: { ADMIN_KEY: 'the-admin-key-0123456789' } as AppConfig },
    { provide: SESSION_CLOCK, useValue: () => now },
    { provide: SESSION_STORE, useValue: new MemorySessionStore(() => now) },
    { provide: APP_FILTER, useClass: EdgeErrorFilter },
    AdminKeyVerifier,
    AccountDirectory,
    AccountGuard,
    ConsoleAuthenticator,
    LoginThrottle,
    SessionIssuer,
    SessionService,
  ],
})
class MeTestModule {}

describe('MeController: password change and sign out everywhere (over HTTP, pinned clock)', () => {
  let app: NestFastifyApplication;
  const post = (url: string, s: { id: string; csrfToken: string }, body?: unknown) =>
    app
      .getHttpAdapter()
      .getInstance()
      .inject({
        method: 'POST',
        url,
        headers: { cookie: `sb_session=${s.id}`, 'x-csrf-token': s.csrfToken, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
      });
  const signIn = () => app.get(SessionService).create(user);

  beforeAll(async () => {
    app = await NestFactory.create<NestFastifyApplication>(MeTestModule, new FastifyAdapter(), { logger: false, bodyParser: false });
    installJsonBodyParser(app.getHttpAdapter().getInstance(), { limit: 1 << 20, maxDepth: 64 });
    await app.init();
  });
  afterAll(() => app.close());

  it('tells auth whether the sign-in is recent (an account without a password may set one only then)', async () => {
    const s = await signIn();
    now += RECENT_SIGN_IN_MS - 60_000;
    expect((await post('/api/me/password', s, { newPassword: 'nora-password-1' })).statusCode).toBe(200);
    expect(asked.filter((r) => r.op === 'password.change').at(-1)).toMatchObject({ userId: 7, recentSignIn: true, body: { newPassword: 'nora-password-1' } });

    const old = await signIn();
    now += RECENT_SIGN_IN_MS;
    await post('/api/me/password', old, { currentPassword: 'nora-password-1', newPassword: 'nora-password-2' });
    expect(asked.filter((r) => r.op === 'password.change').at(-1)).toMatchObject({ recentSignIn: false });
  });

  it('replaces the caller’s session with one under the new epoch; the old cookie and every other session end', async () => {
    const mine = await signIn();
    const other = await signIn();
    const res = await post('/api/me/password', mine, { currentPassword: 'nora-password-2', newPassword: 'nora-password-3' });
    expect(res.statusCode).toBe(200);
    const next = { id: String(res.headers['set-cookie']).split(';')[0].slice('sb_session='.length), csrfToken: res.json<{ csrfToken: string }>().csrfToken };
    expect(next.id).not.toBe(mine.id);
    expect(await app.get(SessionService).resolve(mine.id)).toBeNull();
    expect(await app.get(SessionService).resolve(next.id)).toMatchObject({ userId: 7, epoch: user.sessionEpoch, signedInAt: new Date(now) });
    // the other session is still stored but under the old epoch: the authenticator refuses it
    expect((await post('/api/me/sessions/revoke', other)).statusCode).toBe(401);

    const revoked = await post('/api/me/sessions/revoke', next);
    expect([revoked.statusCode, revoked.json()]).toEqual([200, { revoked: true }]);
    expect(String(revoked.headers['set-cookie'])).toContain('Max-Age=0');
    expect(await app.get(SessionService).resolve(next.id)).toBeNull();
  });
});
