// Organisations (SPEC §8): roots manage /api/orgs; an org admin sees and changes only its org's users, tokens,
// logs and statistics (another org's ids answer 404), and is refused (403) everything else; roots see everything.
import OpenAI from 'openai';
import { startMockUpstream, type MockUpstream } from '@switchboard/testing';
import { adminClient, eventually, startStandalone, type System } from '../../support/harness';

jest.setTimeout(180_000);

type Row = Record<string, any>;
const ROOT = { username: 'rita', password: 'root-password-123' };

describe('organisations (standalone)', () => {
  let mock: MockUpstream;
  let sys: System;
  let url: string;
  const admin = () => adminClient(url, sys.adminKey);

  type Call = (method: string, path: string, body?: unknown) => Promise<{ status: number; body: Row }>;
  const signIn = async (username: string, password: string): Promise<Call> => {
    const r = await fetch(`${url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    const body = (await r.json()) as Row;
    if (r.status !== 200) throw new Error(`sign-in ${username}: ${r.status} ${JSON.stringify(body)}`);
    const cookie = (r.headers.get('set-cookie') ?? '').split(';')[0];
    return async (method, path, payload) => {
      const res = await fetch(url + path, {
        method,
        headers: { cookie, 'x-csrf-token': body.csrfToken as string, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) },
        body: payload === undefined ? undefined : JSON.stringify(payload),
      });
      const text = await res.text();
      return { status: res.status, body: (text ? JSON.parse(text) : null) as Row };
    };
  };

  /** Per org: its id, its admin's session, its users' ids, its token's id and its request's id. */
  interface Org {
    id: number;
    call: Call;
    userIds: number[];
    tokenId: number;
    requestId: string;
  }
  const orgs: Record<'a' | 'b', Org> = {} as Record<'a' | 'b', Org>;
  let root: Call;
  let platformUserId: number;

  beforeAll(async () => {
    mock = await startMockUpstream();
    sys = await startStandalone({ ROOT_USERNAME: ROOT.username, ROOT_PASSWORD: ROOT.password });
    url = sys.url;
    expect((await admin().post('/api/channels', { name: 'mock', type: 'openai', keys: ['sk-up'], models: ['gpt-4o-mini'], baseUrl: mock.url })).status).toBe(
      201,
    );
    root = await signIn(ROOT.username, ROOT.password);
    const relay = async (userId: number, name: string) => {
      const t = await admin().post<Row>('/api/tokens', { name, userId });
      expect(t.status).toBe(201);
      await new OpenAI({ apiKey: t.body.key as string, baseURL: `${url}/v1` }).chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: `hello from ${name}` }],
      });
      return t.body.id as number;
    };
    for (const k of ['a', 'b'] as const) {
      const org = await root('POST', '/api/orgs', { name: `org-${k}` });
      expect([org.status, org.body]).toEqual([201, expect.objectContaining({ id: expect.any(Number), name: `org-${k}`, userCount: 0 })]);
      const adminUser = await root('POST', '/api/users', { name: `admin-${k}`, role: 'admin', password: `admin-${k}-password`, orgId: org.body.id });
      const user = await root('POST', '/api/users', { name: `user-${k}`, orgId: org.body.id, balance: 10 });
      expect([adminUser.status, adminUser.body.orgId, user.status, user.body.orgId]).toEqual([201, org.body.id, 201, org.body.id]);
      orgs[k] = {
        id: org.body.id as number,
        call: await signIn(`admin-${k}`, `admin-${k}-password`),
        userIds: [adminUser.body.id as number, user.body.id as number],
        tokenId: await relay(user.body.id as number, `token-${k}`),
        requestId: '',
      };
    }
    const platform = await root('POST', '/api/users', { name: 'platform-user', balance: 10 });
    platformUserId = platform.body.id as number;
    await relay(platformUserId, 'token-platform');
    // The three requests are logged (the usage queue is asynchronous).
    const logs = await eventually(async () => {
      const r = await admin().get<{ data: Row[]; total: number }>('/api/logs?limit=50');
      return r.body.total >= 3 ? r.body.data : undefined;
    });
    for (const k of ['a', 'b'] as const) orgs[k].requestId = logs.find((l) => l.tokenId === orgs[k].tokenId)!.requestId as string;
  });
  afterAll(async () => {
    await sys?.stop();
    await mock?.close();
  });

  describe.each(['a', 'b'] as const)('the admin of org-%s', (k) => {
    const other = k === 'a' ? 'b' : 'a';

    it("lists and reads only its own users and tokens; the other org's answer 404 for read, change and delete", async () => {
      const { call, userIds, tokenId } = orgs[k];
      const users = await call('GET', '/api/users?limit=100');
      expect([users.status, users.body.total]).toEqual([200, 2]);
      expect(users.body.data.map((u: Row) => u.id).sort()).toEqual([...userIds].sort());
      expect((await call('GET', `/api/users/${userIds[1]}`)).status).toBe(200);
      const tokens = await call('GET', '/api/tokens?limit=100');
      expect([tokens.status, tokens.body.data.map((t: Row) => t.id)]).toEqual([200, [tokenId]]);
      expect((await call('GET', `/api/tokens/${tokenId}`)).status).toBe(200);

      const theirUser = orgs[other].userIds[1];
      const theirToken = orgs[other].tokenId;
      for (const [method, path, body] of [
        ['GET', `/api/users/${theirUser}`],
        ['PATCH', `/api/users/${theirUser}`, { status: 'disabled' }],
        ['DELETE', `/api/users/${theirUser}`],
        ['GET', `/api/users/${platformUserId}`],
        ['GET', `/api/tokens/${theirToken}`],
        ['PATCH', `/api/tokens/${theirToken}`, { name: 'stolen' }],
        ['DELETE', `/api/tokens/${theirToken}`],
      ] as const) {
        expect([method, path, (await call(method, path, body)).status]).toEqual([method, path, 404]);
      }
      // Untouched.
      expect((await admin().get<Row>(`/api/users/${theirUser}`)).body.status).toBe('active');
      expect((await admin().get<Row>(`/api/tokens/${theirToken}`)).body.name).toBe(`token-${other}`);
      // A token only for its own users.
      expect((await call('POST', '/api/tokens', { name: 'x', userId: theirUser })).status).toBe(400);
    });

    it("sees only its org's logs (list, by id) and statistics", async () => {
      const { call, userIds, requestId } = orgs[k];
      const logs = await call('GET', '/api/logs?limit=50');
      expect([logs.status, logs.body.total, logs.body.data.map((l: Row) => l.requestId)]).toEqual([200, 1, [requestId]]);
      // Filtering by another user does not widen the scope.
      expect((await call('GET', `/api/logs?userId=${orgs[other].userIds[1]}`)).body.total).toBe(0);
      expect((await call('GET', `/api/logs/${requestId}`)).status).toBe(200);
      expect((await call('GET', `/api/logs/${orgs[other].requestId}`)).status).toBe(404);
      const stats = await call('GET', '/api/stats');
      expect([stats.status, stats.body.totals.requests]).toEqual([200, 1]);
      expect(stats.body.topUsers.map((u: Row) => u.userId)).toEqual([userIds[1]]);
    });

    it('is refused (403) channels, prices, plugins, audit, settings and organisations', async () => {
      const { call } = orgs[k];
      for (const [method, path, body] of [
        ['GET', '/api/channels'],
        ['POST', '/api/channels', { name: 'x', type: 'openai', keys: ['k'], models: ['m'] }],
        ['GET', '/api/prices'],
        ['GET', '/api/plugins'],
        ['GET', '/api/audit'],
        ['GET', '/api/groups'],
        ['POST', `/api/users/${orgs[k].userIds[1]}/topup`, { amount: 5 }],
        ['GET', '/api/orgs'],
        ['POST', '/api/orgs', { name: 'mine' }],
        ['DELETE', `/api/orgs/${orgs[other].id}`],
      ] as const) {
        expect([method, path, (await call(method, path, body)).status]).toEqual([method, path, 403]);
      }
    });

    it('creates users in its own org only, and may not move one out', async () => {
      const { call, id } = orgs[k];
      const made = await call('POST', '/api/users', { name: `new-${k}`, orgId: orgs[other].id });
      expect([made.status, made.body.orgId]).toEqual([201, id]);
      expect((await call('PATCH', `/api/users/${made.body.id}`, { orgId: orgs[other].id })).status).toBe(403);
      expect((await call('DELETE', `/api/users/${made.body.id}`)).status).toBe(200);
    });
  });

  it("a root sees every org's users, tokens, logs and statistics", async () => {
    const users = (await root('GET', '/api/users?limit=100')).body.data.map((u: Row) => u.id);
    expect(users).toEqual(expect.arrayContaining([...orgs.a.userIds, ...orgs.b.userIds, platformUserId]));
    const tokens = (await root('GET', '/api/tokens?limit=100')).body.data.map((t: Row) => t.id);
    expect(tokens).toEqual(expect.arrayContaining([orgs.a.tokenId, orgs.b.tokenId]));
    expect((await root('GET', '/api/logs?limit=50')).body.total).toBe(3);
    expect((await root('GET', `/api/logs/${orgs.b.requestId}`)).status).toBe(200);
    expect((await root('GET', '/api/stats')).body.totals.requests).toBe(3);
  });

  it('roots manage organisations: rename, a clash is a 400, one with users cannot be deleted (409), an empty one can; audited', async () => {
    const list = await root('GET', '/api/orgs');
    expect(list.body.data.map((o: Row) => [o.name, o.userCount])).toEqual([
      ['org-a', 2],
      ['org-b', 2],
    ]);
    expect((await root('POST', '/api/orgs', { name: 'org-a' })).status).toBe(400);
    expect((await root('DELETE', `/api/orgs/${orgs.a.id}`)).status).toBe(409);
    const c = await admin().post<Row>('/api/orgs', { name: 'org-c' });
    expect(c.status).toBe(201);
    const renamed = await root('PATCH', `/api/orgs/${c.body.id}`, { name: 'org-see' });
    expect([renamed.status, renamed.body.name]).toEqual([200, 'org-see']);
    expect((await root('PATCH', `/api/orgs/${c.body.id}`, { name: 'org-b' })).status).toBe(400);
    expect((await root('DELETE', `/api/orgs/${c.body.id}`)).body).toEqual({ deleted: true });
    expect((await root('DELETE', `/api/orgs/${c.body.id}`)).status).toBe(404);
    const audit = await admin().get<{ data: Row[] }>(`/api/audit?entity=org&entityId=${c.body.id}`);
    expect(audit.body.data.map((a) => [a.action, a.actor])).toEqual([
      ['delete', expect.stringMatching(/^rita/)],
      ['update', expect.stringMatching(/^rita/)],
      ['create', 'admin key'],
    ]);
    // A platform admin (no org) is not a root: organisations are refused it.
    await root('POST', '/api/users', { name: 'pat', role: 'admin', password: 'pat-password-1' });
    expect((await (await signIn('pat', 'pat-password-1'))('GET', '/api/orgs')).status).toBe(403);
  });
});
