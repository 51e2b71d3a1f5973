import { Module, type INestApplication } from '@nestjs/common';
import { APP_FILTER, NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { APP_CONFIG, type AppConfig } from '@switchboard/config';
import { DomainError, Subjects, adminRouteList } from '@switchboard/contracts';
import { Bus } from '@switchboard/messaging';
import { EdgeErrorFilter } from '../edge/edge-error.filter';
import { installJsonBodyParser } from '../edge/json-body.parser';
import { MemorySessionStore } from '../session/memory-session.store';
import { SessionService } from '../session/session.service';
import { SESSION_STORE } from '../session/session.store';
import { AccountDirectory } from '../accounts/account-directory';
import { SessionGuard } from '../accounts/account.guards';
import { ConsoleAuthenticator } from '../accounts/console-authenticator';
import { LoginThrottle } from '../accounts/login-throttle';
import { AdminKeyVerifier } from './admin-key.verifier';
import { AdminAuthGuard } from './admin-auth.guard';
import { AdminController } from './admin.controller';

const KEY = 'the-admin-key-0123456789';
const sent: { subject: string; payload: Record<string, unknown> }[] = [];
let answer: () => unknown = () => ({ ok: true });

const bus = {
  request: async (subject: string, payload: Record<string, unknown>) => {
    sent.push({ subject, payload });
    return answer();
  },
};

@Module({
  controllers: [AdminController],
  providers: [
    { provide: Bus, useValue: bus },
    { provide: APP_CONFIG, useValue: { ADMIN_KEY: KEY } as AppConfig },
    AdminAuthGuard,
    AdminKeyVerifier,
    AccountDirectory,
    ConsoleAuthenticator,
    LoginThrottle,
    SessionGuard,
    SessionService,
    { provide: SESSION_STORE, useValue: new MemorySessionStore() },
    { provide: APP_FILTER, useClass: EdgeErrorFilter },
  ],
})
class AdminTestModule {}

describe('AdminController (the routes of ADMIN_ROUTES, over HTTP)', () => {
  let app: INestApplication;
  const call = (method: string, url: string, body?: string, headers: Record<string, string> = { authorization: `Bearer ${KEY}` }) =>
    (app as NestFastifyApplication)
      .getHttpAdapter()
      .getInstance()
      .inject({
        method: method as 'GET',
        url,
        headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { payload: body }),
      });

  beforeAll(async () => {
    app = await NestFactory.create<NestFastifyApplication>(AdminTestModule, new FastifyAdapter(), { logger: false, bodyParser: false });
    installJsonBodyParser((app as NestFastifyApplication).getHttpAdapter().getInstance(), { limit: 1 << 20, maxDepth: 64 });
    await app.init();
  });
  afterAll(() => app.close());
  beforeEach(() => {
    sent.length = 0;
    answer = () => ({ ok: true });
  });

  it('serves every route of the table, forwarding it to its owner as resource.op', async () => {
    for (const r of adminRouteList()) {
      sent.length = 0;
      const url = r.path.replace(/:(\w+)/, 'p-1');
      const res = await call(r.method, url, r.body ? '{}' : undefined);
      expect([r.op, res.statusCode]).toEqual([r.op, r.status]);
      const [resource, op] = r.op.split('.');
      expect(sent).toEqual([{ subject: r.subject, payload: expect.objectContaining({ resource, op, actor: 'admin key', actorRole: 'root' }) }]);
      expect(sent[0].payload.id).toBe(r.path.includes(':') ? 'p-1' : undefined);
    }
  });

  it('answers the route’s success status with the owner’s domain result', async () => {
    answer = () => ({ id: 1, name: 'c' });
    const created = await call('POST', '/api/channels', '{"name":"c"}');
    expect(created.statusCode).toBe(201);
    expect(created.json()).toEqual({ id: 1, name: 'c' });
    expect(sent[0]).toEqual({
      subject: Subjects.RouterAdmin,
      payload: { resource: 'channels', op: 'create', body: { name: 'c' }, query: {}, actor: 'admin key', actorRole: 'root', actorOrgId: null },
    });
  });

  it('forwards the query string only to routes that take one, and a body only to routes that read one', async () => {
    await call('GET', '/api/logs?model=m&limit=5');
    expect(sent[0].payload).toMatchObject({ resource: 'logs', op: 'list', query: { model: 'm', limit: '5' }, body: {} });
    await call('GET', '/api/prices?x=1');
    expect(sent[1].payload).toMatchObject({ resource: 'prices', op: 'list', query: {} });
    await call('DELETE', '/api/tokens/3', '{"ignored":');
    expect(sent[2].payload).toMatchObject({ resource: 'tokens', op: 'delete', id: '3', body: {} });
  });

  it('reads an empty body as {} and refuses bad JSON with a 400 before forwarding', async () => {
    const empty = await call('POST', '/api/channels/4/test', '');
    expect(empty.statusCode).toBe(200);
    expect(sent[0].payload).toMatchObject({ resource: 'channels', op: 'test', id: '4', body: {} });
    const bad = await call('PATCH', '/api/users/4', '{"name":');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toEqual({ error: { code: 'invalid_request', message: expect.stringMatching(/^body: /) } });
    expect(sent).toHaveLength(1);
  });

  it('maps the owner’s domain errors to HTTP: status, { error: { code, message, field } }, x-request-id', async () => {
    answer = () => {
      throw new DomainError('invalid_request', 400, 'name: must not be empty', { field: 'name' });
    };
    const res = await call('POST', '/api/users', '{"name":""}');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: { code: 'invalid_request', message: 'name: must not be empty', field: 'name' } });
    expect(res.headers['x-request-id']).toBeTruthy();
    answer = () => {
      throw new DomainError('not_found', 404, 'user not found');
    };
    expect((await call('GET', '/api/users/9')).statusCode).toBe(404);
  });

  it('keeps every route behind the admin key (401; 429 once the address has failed 20 times in a minute)', async () => {
    for (const [i, r] of adminRouteList().entries()) {
      const res = await call(r.method, r.path.replace(/:(\w+)/, 'x'), r.body ? '{}' : undefined, { authorization: 'Bearer wrong' });
      expect([r.op, res.statusCode]).toEqual([r.op, i < 20 ? 401 : 429]);
    }
    expect(sent).toEqual([]);
  });
});
