import { SessionIssuer } from './session-issuer';
import { Module } from '@nestjs/common';
import { APP_FILTER, NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { APP_CONFIG, type AppConfig } from '@switchboard/config';
import { Bus } from '@switchboard/messaging';
import { AccountDirectory } from '../accounts/account-directory';
import { SessionGuard } from '../accounts/account.guards';
import { ConsoleAuthenticator } from '../accounts/console-authenticator';
import { LoginThrottle } from '../accounts/login-throttle';
import { AdminKeyVerifier } from '../admin/admin-key.verifier';
import { AdminAuthGuard } from '../admin/admin-auth.guard';
import { AdminController } from '../admin/admin.controller';
import { EdgeErrorFilter } from '../edge/edge-error.filter';
import { installJsonBodyParser } from '../edge/json-body.parser';
import { MemorySessionStore } from './memory-session.store';
import { SessionController } from './session.controller';
import { SessionService } from './session.service';
import { SESSION_STORE } from './session.store';

const KEY = 'the-admin-key-0123456789';

@Module({
  controllers: [SessionController, AdminController],
  providers: [
    { provide: Bus, useValue: { request: () => Promise.resolve({ items: [], total: 0 }) } },
    { provide: APP_CONFIG, useValue: { ADMIN_KEY: KEY } as AppConfig },
    AdminAuthGuard,
    AdminKeyVerifier,
    SessionIssuer,
    AccountDirectory,
    ConsoleAuthenticator,
    LoginThrottle,
    SessionGuard,
    SessionService,
    { provide: SESSION_STORE, useValue: new MemorySessionStore() },
    { provide: APP_FILTER, useClass: EdgeErrorFilter },
  ],
})
class SessionTestModule {}

describe('SessionController (the console sign-in, over HTTP)', () => {
  let app: NestFastifyApplication;
  const call = (method: string, url: string, headers: Record<string, string> = {}, body?: unknown) =>
    app
      .getHttpAdapter()
      .getInstance()
      .inject({
        method: method as 'GET',
        url,
        headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
      });
  const signIn = async (headers: Record<string, string> = {}) => {
    const res = await call('POST', '/api/session', headers, { adminKey: KEY });
    const cookie = String(res.headers['set-cookie']);
    return { res, cookie, session: cookie.split(';')[0], csrfToken: res.json<{ csrfToken: string }>().csrfToken };
  };

  beforeAll(async () => {
    // trustProxy as TRUSTED_PROXIES would set it, so x-forwarded-proto from 127.0.0.1 counts
    app = await NestFactory.create<NestFastifyApplication>(SessionTestModule, new FastifyAdapter({ trustProxy: ['127.0.0.1'] }), {
      logger: false,
      bodyParser: false,
    });
    installJsonBodyParser(app.getHttpAdapter().getInstance(), { limit: 1 << 20, maxDepth: 64 });
    await app.init();
  });
  afterAll(() => app.close());

  it('signs in with the admin key: an HttpOnly, SameSite=Lax cookie and the CSRF token', async () => {
    const { res, cookie, session, csrfToken } = await signIn();
    expect(res.statusCode).toBe(200);
    expect(cookie).toMatch(/^sb_session=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=43200; HttpOnly; SameSite=Lax$/);
    expect(res.json()).toEqual({ csrfToken: expect.any(String), expiresAt: expect.any(String) });
    expect(res.headers['cache-control']).toBe('no-store');
    const current = await call('GET', '/api/session', { cookie: session });
    expect([current.statusCode, current.json()]).toEqual([200, { via: 'session', csrfToken, expiresAt: expect.any(String) }]);
    const byKey = await call('GET', '/api/session', { 'x-admin-key': KEY });
    expect([byKey.statusCode, byKey.json()]).toEqual([200, { via: 'adminKey' }]);
  });

  it('marks the cookie Secure when the request came over https through a trusted proxy', async () => {
    const { cookie } = await signIn({ 'x-forwarded-proto': 'https' });
    expect(cookie).toMatch(/; Secure$/);
  });

  it('the cookie opens the admin API; writes need the CSRF token', async () => {
    const { session, csrfToken } = await signIn();
    expect((await call('GET', '/api/channels', { cookie: session })).statusCode).toBe(200);
    expect((await call('POST', '/api/channels', { cookie: session }, {})).statusCode).toBe(403);
    expect((await call('POST', '/api/channels', { cookie: session, 'x-csrf-token': csrfToken }, {})).statusCode).toBe(201);
  });

  it('sign-out ends the session on the server: the old cookie then gets 401 everywhere', async () => {
    const { session, csrfToken } = await signIn();
    expect((await call('DELETE', '/api/session', { cookie: session })).statusCode).toBe(403);
    const out = await call('DELETE', '/api/session', { cookie: session, 'x-csrf-token': csrfToken });
    expect(out.statusCode).toBe(204);
    expect(String(out.headers['set-cookie'])).toMatch(/^sb_session=; Path=\/; Max-Age=0; HttpOnly; SameSite=Lax/);
    expect((await call('GET', '/api/session', { cookie: session })).statusCode).toBe(401);
    expect((await call('GET', '/api/channels', { cookie: session })).statusCode).toBe(401);
    expect((await call('DELETE', '/api/session', { cookie: session, 'x-csrf-token': csrfToken })).statusCode).toBe(401);
  });

  it('refuses a wrong key (401, no cookie) and a malformed body (400); guesses count toward the admin throttle', async () => {
    const ip = { 'x-forwarded-for': '203.0.113.9' };
    const wrong = await call('POST', '/api/session', ip, { adminKey: 'nope' });
    expect([wrong.statusCode, wrong.headers['set-cookie']]).toEqual([401, undefined]);
    expect((await call('POST', '/api/session', ip, { key: KEY })).statusCode).toBe(400);
    expect((await call('GET', '/api/session')).statusCode).toBe(401);
    expect((await call('GET', '/api/session', { ...ip, authorization: 'Bearer wrong' })).statusCode).toBe(401);
    for (let i = 0; i < 18; i++) await call('POST', '/api/session', ip, { adminKey: `guess-${i}` });
    expect((await call('POST', '/api/session', ip, { adminKey: KEY })).statusCode).toBe(429);
    expect((await call('GET', '/api/channels', { ...ip, 'x-admin-key': KEY })).statusCode).toBe(429);
  });
});
