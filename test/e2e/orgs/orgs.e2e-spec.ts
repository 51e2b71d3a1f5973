// Organisations (SPEC §8): roots manage /api/orgs; an org admin sees and changes only its org's users, tokens,
// groups, MCP servers, logs and statistics (another org's ids and names answer 404), and is refused (403) everything
// else; an org's MCP server serves only its users' keys; roots see everything.
import OpenAI from 'openai';
import { startMockUpstream, type MockUpstream } from '@switchboard/testing';
import { adminClient, eventually, startStandalone, type System } from '../../support/harness';
import { connectMcp, textOf } from '../mcp/support/mcp-client';
import { UPSTREAM_SECRET, startMcpUpstream } from '../mcp/support/mcp-upstreams';

jest.setTimeout(180_000);

type Row = Record<string, any>;
const ROOT = { username: 'rita', password: 'root-password-123' };

describe('organisations (standalone)', () => {
  let mock: MockUpstream;
  let mcp: Awaited<ReturnType<typeof startMcpUpstream>>;
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

  /** Per org: its id, its admin's session, its users' ids, its token's id and key, and its request's id. */
  interface Org {
    id: number;
    call: Call;
    userIds: number[];
    tokenId: number;
    key: string;
    requestId: string;
  }
  const orgs: Record<'a' | 'b', Org> = {} as Record<'a' | 'b', Org>;
  let root: Call;
  let platformUserId: number;
  let platformKey: string;

  beforeAll(async () => {
    [mock, mcp] = await Promise.all([startMockUpstream(), startMcpUpstream()]);
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
      return { id: t.body.id as number, key: t.body.key as string };
    };
    for (const k of ['a', 'b'] as const) {
      const org = await root('POST', '/api/orgs', { name: `org-${k}` });
      expect([org.status, org.body]).toEqual([201, expect.objectContaining({ id: expect.any(Number), name: `org-${k}`, userCount: 0 })]);
      const adminUser = await root('POST', '/api/users', { name: `admin-${k}`, role: 'admin', password: `admin-${k}-password`, orgId: org.body.id });
      const user = await root('POST', '/api/users', { name: `user-${k}`, orgId: org.body.id, balance: 10 });
      expect([adminUser.status, adminUser.body.orgId, user.status, user.body.orgId]).toEqual([201, org.body.id, 201, org.body.id]);
      const token = await relay(user.body.id as number, `token-${k}`);
      orgs[k] = {
        id: org.body.id as number,
        call: await signIn(`admin-${k}`, `admin-${k}-password`),
        userIds: [adminUser.body.id as number, user.body.id as number],
        tokenId: token.id,
        key: token.key,
        requestId: '',
      };
      // Owned things: a group a root gives the org, and an MCP server its admin registers (it lands in the org).
      const group = await root('POST', '/api/groups', { name: `team-${k}`, orgId: org.body.id, priceRatio: 2 });
      expect([group.status, group.body.orgId]).toEqual([201, org.body.id]);
      const server = await orgs[k].call('POST', '/api/mcp-servers', {
        name: `calc-${k}`,
        type: 'remote',
        url: `${mcp.url}/mcp`,
        headers: { Authorization: `Bearer ${UPSTREAM_SECRET}` },
        groups: ['default', `team-${k}`],
      });
      expect([server.status, server.body.orgId]).toEqual([201, org.body.id]);
    }
    expect((await root('POST', '/api/groups', { name: 'vip' })).status).toBe(201);
    const shared = await root('POST', '/api/mcp-servers', {
      name: 'calc-platform',
      type: 'remote',
      url: `${mcp.url}/mcp`,
      headers: { Authorization: `Bearer ${UPSTREAM_SECRET}` },
    });
    expect([shared.status, shared.body.orgId]).toEqual([201, null]);
    const platform = await root('POST', '/api/users', { name: 'platform-user', balance: 10 });
    platformUserId = platform.body.id as number;
    platformKey = (await relay(platformUserId, 'token-platform')).key;
    // The three requests are logged (the usage queue is asynchronous).
    const logs = await eventually(async () => {
      const r = await admin().get<{ data: Row[]; total: number }>('/api/logs?limit=50');
      return r.body.total >= 3 ? r.body.data : undefined;
    });
    for (const k of ['a', 'b'] as const) orgs[k].requestId = logs.find((l) => l.tokenId === orgs[k].tokenId)!.requestId as string;
  });
  afterAll(async () => {
    await sys?.stop();
    await Promise.all([mock?.close(), mcp?.stop()]);
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

    it('is refused (403) channels, prices, plugins, audit, settings, organisations and creating groups', async () => {
      const { call } = orgs[k];
      for (const [method, path, body] of [
        ['GET', '/api/channels'],
        ['POST', '/api/channels', { name: 'x', type: 'openai', keys: ['k'], models: ['m'] }],
        ['GET', '/api/prices'],
        ['GET', '/api/plugins'],
        ['GET', '/api/audit'],
        ['POST', '/api/groups', { name: `mine-${k}` }],
        ['POST', `/api/users/${orgs[k].userIds[1]}/topup`, { amount: 5 }],
        ['GET', '/api/orgs'],
        ['POST', '/api/orgs', { name: 'mine' }],
        ['DELETE', `/api/orgs/${orgs[other].id}`],
      ] as const) {
        expect([method, path, (await call(method, path, body)).status]).toEqual([method, path, 403]);
      }
    });

    it("lists, reads and updates only its org's groups; ratio and owner are refused (403 naming the field)", async () => {
      const { call, id } = orgs[k];
      const list = await call('GET', '/api/groups?limit=100');
      expect([list.status, list.body.total, list.body.data.map((g: Row) => [g.name, g.orgId])]).toEqual([200, 1, [[`team-${k}`, id]]]);
      expect((await call('GET', `/api/groups/team-${k}`)).status).toBe(200);
      for (const [method, path, body] of [
        ['GET', `/api/groups/team-${other}`],
        ['GET', '/api/groups/vip'],
        ['GET', '/api/groups/default'],
        ['PATCH', `/api/groups/team-${other}`, { rpm: 1 }],
        ['PATCH', '/api/groups/vip', { rpm: 1 }],
      ] as const) {
        expect([method, path, (await call(method, path, body)).status]).toEqual([method, path, 404]);
      }
      const changed = await call('PATCH', `/api/groups/team-${k}`, {
        rpm: 600,
        tpm: null,
        logBodies: true,
        budget: { amount: 20, period: 'month', softLimit: null },
      });
      expect([changed.status, changed.body.rpm, changed.body.logBodies, changed.body.budget?.amount]).toEqual([200, 600, true, 20]);
      for (const [body, field] of [
        [{ priceRatio: 0.1 }, 'priceRatio'],
        [{ orgId: orgs[other].id }, 'orgId'],
        [{ orgId: null }, 'orgId'],
      ] as const) {
        const r = await call('PATCH', `/api/groups/team-${k}`, body);
        expect([r.status, r.body.error?.message]).toEqual([403, expect.stringMatching(new RegExp(`^${field}: `))]);
      }
      const kept = await root('GET', `/api/groups/team-${k}`);
      expect([kept.body.priceRatio, kept.body.orgId]).toEqual([2, id]);
      // the refused changes to another org's and the platform's groups did not happen
      expect((await root('GET', `/api/groups/team-${other}`)).body.rpm).not.toBe(1);
      expect((await root('GET', '/api/groups/vip')).body.rpm).toBeNull();
    });

    it("puts its users and tokens only in its org's groups or default", async () => {
      const { call, userIds, tokenId } = orgs[k];
      const user = userIds[1];
      const refused = (group: string) => `group: "${group}" is not a group of your organisation (use one of its groups or "default")`;
      for (const group of [`team-${other}`, 'vip', 'no-such-group']) {
        for (const [method, path, body] of [
          ['POST', '/api/users', { name: `x-${k}`, group }],
          ['PATCH', `/api/users/${user}`, { group }],
          ['POST', '/api/tokens', { name: 'x', userId: user, group }],
          ['PATCH', `/api/tokens/${tokenId}`, { group }],
        ] as const) {
          const r = await call(method, path, body);
          expect([method, path, r.status, r.body.error?.message]).toEqual([method, path, 400, refused(group)]);
        }
      }
      expect((await call('PATCH', `/api/users/${user}`, { group: `team-${k}` })).body.group).toBe(`team-${k}`);
      expect((await call('PATCH', `/api/tokens/${tokenId}`, { group: 'default' })).body.group).toBe('default');
      expect((await call('PATCH', `/api/users/${user}`, { group: 'default' })).body.group).toBe('default');
      // a root keeps an org's group to that org's users
      expect((await root('PATCH', `/api/users/${platformUserId}`, { group: `team-${k}` })).status).toBe(400);
    });

    it("lists, creates, updates and deletes only its org's MCP servers; another org's and the platform's are 404", async () => {
      const { call, id } = orgs[k];
      const list = await call('GET', '/api/mcp-servers');
      expect([list.status, list.body.data.map((s: Row) => [s.name, s.orgId])]).toEqual([200, [[`calc-${k}`, id]]]);
      for (const [method, path, body] of [
        ['PATCH', `/api/mcp-servers/calc-${other}`, { groups: [] }],
        ['DELETE', `/api/mcp-servers/calc-${other}`],
        ['PATCH', '/api/mcp-servers/calc-platform', { groups: [] }],
        ['DELETE', '/api/mcp-servers/calc-platform'],
      ] as const) {
        expect([method, path, (await call(method, path, body)).status]).toEqual([method, path, 404]);
      }
      for (const [method, path, body] of [
        ['PATCH', `/api/mcp-servers/calc-${k}`, { orgId: orgs[other].id }],
        ['PATCH', `/api/mcp-servers/calc-${k}`, { orgId: null }],
        ['POST', '/api/mcp-servers', { name: `tmp-${k}`, type: 'remote', url: `${mcp.url}/mcp`, orgId: orgs[other].id }],
      ] as const) {
        const r = await call(method, path, body);
        expect([method, path, r.status, r.body.error?.message]).toEqual([method, path, 403, expect.stringMatching(/^orgId: /)]);
      }
      const made = await call('POST', '/api/mcp-servers', { name: `tmp-${k}`, type: 'remote', url: `${mcp.url}/mcp` });
      expect([made.status, made.body.orgId]).toEqual([201, id]);
      expect((await call('PATCH', `/api/mcp-servers/tmp-${k}`, { groups: [`team-${k}`] })).body.groups).toEqual([`team-${k}`]);
      expect((await call('DELETE', `/api/mcp-servers/tmp-${k}`)).body).toEqual({ deleted: true });
      expect((await call('DELETE', `/api/mcp-servers/tmp-${k}`)).status).toBe(404);
      expect((await root('GET', '/api/mcp-servers')).body.data.map((s: Row) => s.name)).toEqual(['calc-a', 'calc-b', 'calc-platform']);
    });

    it("its org's MCP server serves its users' keys and refuses (403) another org's and the platform's; platform servers serve all", async () => {
      const client = await eventually(() => connectMcp(url, `calc-${k}`, orgs[k].key, 'streamable').catch(() => undefined), 10_000, `calc-${k}`);
      try {
        expect(textOf(await client.callTool({ name: 'add', arguments: { a: 2, b: 40 } }))).toBe('42');
      } finally {
        await client.close();
      }
      for (const key of [orgs[other].key, platformKey]) {
        await expect(connectMcp(url, `calc-${k}`, key, 'streamable')).rejects.toMatchObject({ code: 403 });
        const r = await fetch(`${url}/mcp/calc-${k}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${key}` },
          body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
        });
        expect([r.status, ((await r.json()) as Row).error?.message]).toEqual([
          403,
          `The MCP server "calc-${k}" belongs to an organisation this API key's user is not in.`,
        ]);
      }
      const shared = await connectMcp(url, 'calc-platform', orgs[k].key, 'streamable');
      try {
        expect(textOf(await shared.callTool({ name: 'add', arguments: { a: 1, b: 1 } }))).toBe('2');
      } finally {
        await shared.close();
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
    // An org that owns a group or an MCP server cannot be deleted either, until a root hands them over.
    expect((await root('POST', '/api/groups', { name: 'team-c', orgId: c.body.id })).status).toBe(201);
    expect((await root('DELETE', `/api/orgs/${c.body.id}`)).status).toBe(409);
    expect((await root('PATCH', '/api/groups/team-c', { orgId: null })).body.orgId).toBeNull();
    expect((await root('POST', '/api/mcp-servers', { name: 'calc-c', type: 'remote', url: `${mcp.url}/mcp`, orgId: c.body.id })).status).toBe(201);
    expect((await root('DELETE', `/api/orgs/${c.body.id}`)).status).toBe(409);
    expect((await root('DELETE', '/api/mcp-servers/calc-c')).status).toBe(200);
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
