// Issue #4, auth half: users, groups and tokens through the admin API (validation, nothing half-written, audit,
// keys shown once, admin-key throttling) and every key check of the relay in SPEC order, each allowed and
// refused, the refusals in all three inbound protocols' own error shapes. Both topologies.
import { createHash } from 'node:crypto';
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import pg from 'pg';
import { Agent } from 'undici';
import { startMockUpstream, type MockUpstream } from '@switchboard/testing';
import { adminClient, eventually, startStandalone, type System } from '../../support/harness';
import { startIsolatedCluster, type IsolatedCluster } from '../limits/support/private-brokers';
import { MODEL_OF, PROTOCOLS, call, expectRefusal, expectServed } from '../limits/support/protocol-calls';

jest.setTimeout(120_000);

type Topology = 'standalone' | 'cluster';
type Admin = ReturnType<typeof adminClient>;
type Row = Record<string, any>;

describe.each<Topology>(['standalone', 'cluster'])('keys, users, groups and the admin API (%s)', (topology) => {
  let mock: MockUpstream;
  let sys: (System & { dropDatabase?: () => Promise<void> }) | IsolatedCluster | null = null;
  let admin: Admin;
  let url: string;
  // Requests from 127.0.0.2: not a trusted proxy (TRUSTED_PROXIES=127.0.0.1), so its X-Forwarded-For is ignored.
  const untrusted = new Agent({ localAddress: '127.0.0.2' });
  let skip = false;

  const token = async (body: Row = {}): Promise<{ id: number; key: string; body: Row }> => {
    const r = await admin.post<Row>('/api/tokens', { name: `t-${Math.random().toString(36).slice(2, 8)}`, ...body });
    if (r.status !== 201) throw new Error(`token create ${r.status} ${JSON.stringify(r.body)}`);
    return { id: r.body.id, key: r.body.key, body: r.body };
  };
  const it_ = (name: string, fn: () => Promise<void>) => it(name, async () => (skip ? undefined : fn()));

  beforeAll(async () => {
    mock = await startMockUpstream();
    const env = { TRUSTED_PROXIES: '127.0.0.1' };
    if (topology === 'standalone') sys = await startStandalone(env);
    else {
      sys = await startIsolatedCluster({ gateways: 1, env, fallbackRedisDb: 12 });
      if (!sys) {
        skip = true;
        return;
      }
    }
    url = sys.url;
    admin = adminClient(url, sys.adminKey);
    for (const ch of [
      { name: 'mock-openai', type: 'openai', keys: ['sk-up-openai'], models: ['gpt-4o-mini', 'gpt-other'] },
      { name: 'mock-anthropic', type: 'anthropic', keys: ['sk-up-anthropic'], models: ['claude-test'] },
      { name: 'mock-gemini', type: 'gemini', keys: ['up-gemini'], models: ['gemini-test'] },
    ]) {
      const r = await admin.post('/api/channels', { ...ch, baseUrl: mock.url });
      expect(r.status).toBe(201);
    }
    // Routing tables reach the gateway by event: wait until all three protocols are served.
    const probe = await token();
    await eventually(
      async () => {
        for (const p of PROTOCOLS) if ((await call(url, p, probe.key)).status !== 200) return false;
        return true;
      },
      10_000,
      'the three channels to be routable',
    );
  });

  afterAll(async () => {
    await sys?.stop();
    await (sys as { dropDatabase?: () => Promise<void> } | null)?.dropDatabase?.();
    await mock?.close();
    await untrusted.close();
  });

  // ------------------------------------------------------------------ admin API
  describe('admin API', () => {
    it_('creates a key sk- + 48 characters, shows it once, stores only its sha256', async () => {
      const t = await token({ name: 'shown-once' });
      expect(t.key).toMatch(/^sk-[A-Za-z0-9]{48}$/);
      const read = await admin.get<Row>(`/api/tokens/${t.id}`);
      expect(read.status).toBe(200);
      expect(JSON.stringify(read.body)).not.toContain(t.key);
      expect(read.body.key).toMatch(/^sk-.{4}….{4}$/);
      const list = await admin.get<{ data: Row[] }>('/api/tokens?limit=500');
      expect(JSON.stringify(list.body)).not.toContain(t.key);
      const audit = await admin.get<{ data: Row[] }>(`/api/audit?entity=token&entityId=${t.id}`);
      expect(audit.body.data).toHaveLength(1);
      expect(JSON.stringify(audit.body)).not.toContain(t.key);
      if (topology === 'cluster') {
        const db = new pg.Client({ connectionString: (sys as IsolatedCluster).databaseUrl });
        await db.connect();
        try {
          const rows = (await db.query('SELECT * FROM tokens WHERE id = $1', [t.id])).rows;
          expect(rows[0].keyHash).toBe(createHash('sha256').update(t.key).digest('hex'));
          expect(JSON.stringify(rows)).not.toContain(t.key.slice(3));
        } finally {
          await db.end();
        }
      }
    });

    it_('has every SPEC §5 field on users, tokens and groups, and audits create, update and delete', async () => {
      const g = await admin.post<Row>('/api/groups', { name: 'audited', priceRatio: 1.5, rpm: 100, tpm: 10_000 });
      expect(g.status).toBe(201);
      expect(g.body).toMatchObject({ name: 'audited', priceRatio: 1.5, rpm: 100, tpm: 10_000 });
      const gu = await admin.patch<Row>('/api/groups/audited', { rpm: 50 });
      expect(gu.body).toMatchObject({ name: 'audited', rpm: 50, priceRatio: 1.5 });

      const u = await admin.post<Row>('/api/users', { name: 'audited-user', group: 'audited', balance: 2.5 });
      expect(u.status).toBe(201);
      expect(u.body).toMatchObject({ name: 'audited-user', group: 'audited', balance: 2.5, status: 'active' });
      const defaults = await admin.post<Row>('/api/users', { name: 'defaults-user' });
      expect(defaults.body).toMatchObject({ group: 'default', balance: 0, status: 'active' });

      const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
      const t = await admin.post<Row>('/api/tokens', {
        name: 'full',
        userId: u.body.id,
        expiresAt,
        quota: 1.25,
        models: ['gpt-4o-mini'],
        allowIps: ['10.0.0.0/8', '2001:db8::/32'],
        rpm: 10,
        tpm: 1000,
        maxConcurrency: 2,
      });
      expect(t.status).toBe(201);
      expect(t.body).toMatchObject({
        name: 'full',
        userId: u.body.id,
        group: null,
        expiresAt,
        quota: 1.25,
        usedQuota: 0,
        models: ['gpt-4o-mini'],
        allowIps: ['10.0.0.0/8', '2001:db8::/32'],
        rpm: 10,
        tpm: 1000,
        maxConcurrency: 2,
        status: 'active',
      });
      const adminOwned = await token();
      expect(adminOwned.body).toMatchObject({ quota: null, models: null, allowIps: [], expiresAt: null, rpm: null, tpm: null, maxConcurrency: null });
      const users = await admin.get<{ data: Row[] }>('/api/users?limit=500');
      expect(users.body.data.find((x) => x.id === adminOwned.body.userId)).toMatchObject({ name: 'admin', balance: null, builtin: true });

      const tu = await admin.patch<Row>(`/api/tokens/${t.body.id}`, { models: null, allowIps: [], quota: null, group: 'audited' });
      expect(tu.body).toMatchObject({ models: null, allowIps: [], quota: null, group: 'audited' });
      const uu = await admin.patch<Row>(`/api/users/${u.body.id}`, { balance: null, status: 'disabled' });
      expect(uu.body).toMatchObject({ balance: null, status: 'disabled' });
      // The lists the console reads: a search and filters, token counts per user and per group.
      const found = await admin.get<{ data: Row[]; total: number }>('/api/users?search=AUDITED-&status=disabled&group=audited');
      expect(found.body).toMatchObject({ total: 1, data: [{ id: u.body.id, tokenCount: 1 }] });
      const groups = await admin.get<{ data: Row[] }>('/api/groups?limit=500');
      expect(groups.body.data.find((x) => x.name === 'audited')).toMatchObject({ userCount: 1, tokenCount: 1 });
      const removed = await admin.del(`/api/users/${u.body.id}`);
      expect(removed).toEqual({ status: 200, body: { deleted: true, tokensDeleted: 1 } });
      expect((await admin.get(`/api/users/${u.body.id}`)).status).toBe(404);
      expect((await admin.get(`/api/tokens/${t.body.id}`)).status).toBe(404);

      const auditOf = async (entity: string, id: string | number) =>
        (await admin.get<{ data: Row[] }>(`/api/audit?entity=${entity}&entityId=${id}&limit=50`)).body.data.reverse();
      const tokenAudit = await auditOf('token', t.body.id);
      // create, update, and the delete that came with its user
      expect(tokenAudit.map((a) => a.action)).toEqual(['create', 'update', 'delete']);
      expect(tokenAudit[1].before).toMatchObject({ quota: 1.25, models: ['gpt-4o-mini'] });
      expect(tokenAudit[1].after).toMatchObject({ quota: null, models: null, group: 'audited' });
      expect(tokenAudit.every((a) => a.actor === 'admin key')).toBe(true);
      const userAudit = await auditOf('user', u.body.id);
      expect(userAudit.map((a) => a.action)).toEqual(['create', 'update', 'delete']);
      expect(userAudit[1].after).toMatchObject({ status: 'disabled', balance: null });
      const groupAudit = await auditOf('group', 'audited');
      expect(groupAudit.map((a) => a.action)).toEqual(['create', 'update']);
      expect(groupAudit[1].before).toMatchObject({ rpm: 100 });
      expect(groupAudit[1].after).toMatchObject({ rpm: 50 });
    });

    it_('refuses bad input with a 400 naming the field, and writes nothing', async () => {
      const victim = await token({ name: 'victim', allowIps: ['127.0.0.1'], quota: 5 });
      const user = await admin.post<Row>('/api/users', { name: 'taken-name', balance: null });
      await admin.post<Row>('/api/users', { name: 'other-name', balance: null });
      // Billing keeps debiting earlier requests meanwhile (usedQuota, updatedAt): compare what an admin write would touch.
      const strip = (list: { data: Row[]; total: number }) => ({
        total: list.total,
        data: list.data.map(({ updatedAt: _u, usedQuota: _q, ...rest }) => rest),
      });
      const snapshot = async () => ({
        audit: (await admin.get<Row>('/api/audit?limit=1')).body.total,
        users: strip((await admin.get<{ data: Row[]; total: number }>('/api/users?limit=500')).body),
        tokens: strip((await admin.get<{ data: Row[]; total: number }>('/api/tokens?limit=500')).body),
        groups: strip((await admin.get<{ data: Row[]; total: number }>('/api/groups?limit=500')).body),
      });
      const before = await snapshot();

      const cases: [string, string, unknown, string][] = [
        // [method, path, body, field named first in the message]
        ['POST', '/api/users', { name: 5 }, 'name'],
        ['POST', '/api/users', { name: 'n1', balance: -1 }, 'balance'],
        ['POST', '/api/users', { name: 'n1', balance: '10' }, 'balance'],
        ['POST', '/api/users', { name: 'n1', nickname: 'x' }, 'nickname'],
        ['POST', '/api/users', { name: 'n1', group: 'no-such-group' }, 'group'],
        ['POST', '/api/users', { name: 'taken-name' }, 'name'],
        ['POST', '/api/users', { name: 'n1', status: 'exhausted' }, 'status'],
        ['POST', '/api/users', [{ name: 'n1' }], 'body'],
        ['PATCH', `/api/users/${user.body.id}`, { name: 'other-name' }, 'name'],
        ['PATCH', `/api/users/${user.body.id}`, { balance: -0.01 }, 'balance'],
        ['POST', '/api/tokens', { quota: -0.5 }, 'quota'],
        ['POST', '/api/tokens', { allowIps: ['10.0.0.0/33'] }, 'allowIps.0'],
        ['POST', '/api/tokens', { allowIps: ['127.0.0.1', 'not-an-ip'] }, 'allowIps.1'],
        ['POST', '/api/tokens', { rpm: '10' }, 'rpm'],
        ['POST', '/api/tokens', { tpm: 1.5 }, 'tpm'],
        ['POST', '/api/tokens', { maxConcurrency: -1 }, 'maxConcurrency'],
        ['POST', '/api/tokens', { rpm: 1e12 }, 'rpm'],
        ['POST', '/api/tokens', { quota: 1e30 }, 'quota'],
        ['POST', '/api/tokens', { expiresAt: 'tomorrow' }, 'expiresAt'],
        ['POST', '/api/tokens', { userId: 999_999 }, 'userId'],
        ['POST', '/api/tokens', { userId: 'me' }, 'userId'],
        ['POST', '/api/tokens', { group: 'no-such-group' }, 'group'],
        ['POST', '/api/tokens', { models: [] }, 'models'],
        ['POST', '/api/tokens', { models: 'gpt-4o-mini' }, 'models'],
        ['POST', '/api/tokens', { usedQuota: 3 }, 'usedQuota'],
        ['POST', '/api/tokens', { name: 'x', colour: 'blue' }, 'colour'],
        ['PATCH', `/api/tokens/${victim.id}`, { status: 'exhausted' }, 'status'],
        ['PATCH', `/api/tokens/${victim.id}`, { quota: -1, name: 'renamed' }, 'quota'],
        ['PATCH', `/api/tokens/${victim.id}`, { name: 'renamed', allowIps: ['1.2.3.4', '1.2.3.4/40'] }, 'allowIps.1'],
        ['PATCH', `/api/tokens/${victim.id}`, { name: 'renamed', key: 'sk-mine' }, 'key'],
        ['PATCH', `/api/tokens/${victim.id}`, { name: 'renamed', userId: user.body.id }, 'userId'],
        ['POST', '/api/groups', { name: 'default' }, 'name'],
        ['POST', '/api/groups', { name: 'has space' }, 'name'],
        ['POST', '/api/groups', { name: 'g1', rpm: -1 }, 'rpm'],
        ['POST', '/api/groups', { name: 'g1', priceRatio: -2 }, 'priceRatio'],
        ['POST', '/api/groups', { name: 'g1', extra: true }, 'extra'],
        ['PATCH', '/api/groups/default', { priceRatio: 'x' }, 'priceRatio'],
        ['PATCH', '/api/groups/default', { name: 'renamed' }, 'name'],
      ];
      const failures: string[] = [];
      for (const [method, path, body, field] of cases) {
        const r = await admin.call<Row>(method, path, body);
        const message = String(r.body?.error?.message ?? '');
        if (r.status !== 400 || !message.startsWith(`${field}:`))
          failures.push(`${method} ${path} ${JSON.stringify(body)} → ${r.status} ${JSON.stringify(r.body)} (wanted 400 naming ${field})`);
      }
      // Not JSON at all.
      const raw = await fetch(`${url}/api/tokens`, {
        method: 'POST',
        headers: { authorization: `Bearer ${sys!.adminKey}`, 'content-type': 'application/json' },
        body: '{"name": ',
      });
      if (raw.status !== 400) failures.push(`malformed JSON → ${raw.status}`);
      expect(failures).toEqual([]);

      const after = await snapshot();
      expect(after).toEqual(before);
      const v = await admin.get<Row>(`/api/tokens/${victim.id}`);
      expect(v.body).toMatchObject({ name: victim.body.name, quota: 5, allowIps: ['127.0.0.1'], status: 'active' });
    });

    it_('compares the admin key in constant time and throttles an address that keeps failing', async () => {
      expect((await fetch(`${url}/api/users`)).status).toBe(401);
      expect((await fetch(`${url}/api/users`, { headers: { authorization: 'Bearer wrong-key-0123456789' } })).status).toBe(401);
      expect((await fetch(`${url}/api/users`, { headers: { 'x-admin-key': sys!.adminKey } })).status).toBe(200);
      // An attacker behind the trusted proxy: its own address comes from X-Forwarded-For.
      const attacker = { 'x-forwarded-for': '198.51.100.7' };
      const statuses: number[] = [];
      for (let i = 0; i < 21; i++) {
        statuses.push((await fetch(`${url}/api/users`, { headers: { ...attacker, authorization: `Bearer guess-${i}-0123456789` } })).status);
      }
      expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true);
      expect(statuses[20]).toBe(429);
      // Refused even with the right key for the rest of the minute, with a Retry-After…
      const locked = await fetch(`${url}/api/users`, { headers: { ...attacker, authorization: `Bearer ${sys!.adminKey}` } });
      expect(locked.status).toBe(429);
      const retryAfter = Number(locked.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(((await locked.json()) as Row).error.code).toBe('too_many_attempts');
      // …while everyone else is served.
      expect((await fetch(`${url}/api/users`, { headers: { 'x-forwarded-for': '198.51.100.8', authorization: `Bearer ${sys!.adminKey}` } })).status).toBe(200);
      expect((await admin.get('/api/users')).status).toBe(200);
    });
  });

  // ------------------------------------------------------------------ key checks
  describe('key checks, in SPEC order, allowed and refused in each protocol', () => {
    it_('bad or missing key → 401 (OpenAI invalid_api_key, Anthropic authentication_error, Gemini UNAUTHENTICATED); a good key is served', async () => {
      const good = await token();
      for (const p of PROTOCOLS) {
        expectServed(p, await call(url, p, good.key));
        expectRefusal(p, await call(url, p, 'sk-' + 'x'.repeat(48)), 'bad_key');
        expectRefusal(p, await call(url, p, null), 'bad_key');
        expectRefusal(p, await call(url, p, good.key.slice(0, -1) + (good.key.endsWith('a') ? 'b' : 'a')), 'bad_key');
      }
    });

    it_('the official SDKs see the same: served with a good key, a typed 401 with a bad one', async () => {
      const good = await token();
      const openai = (k: string) => new OpenAI({ apiKey: k, baseURL: `${url}/v1`, maxRetries: 0 });
      const anthropic = (k: string) => new Anthropic({ apiKey: k, baseURL: url, maxRetries: 0 });
      const gemini = (k: string) => new GoogleGenAI({ apiKey: k, httpOptions: { baseUrl: url, apiVersion: 'v1beta' } });
      const o = await openai(good.key).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
      expect(o.choices[0].message.content).toContain('hi');
      await expect(openai('sk-bad').chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })).rejects.toBeInstanceOf(
        OpenAI.AuthenticationError,
      );
      const a = await anthropic(good.key).messages.create({ model: 'claude-test', max_tokens: 32, messages: [{ role: 'user', content: 'hi' }] });
      expect(a.content[0]).toMatchObject({ type: 'text' });
      await expect(
        anthropic('sk-bad').messages.create({ model: 'claude-test', max_tokens: 32, messages: [{ role: 'user', content: 'hi' }] }),
      ).rejects.toBeInstanceOf(Anthropic.AuthenticationError);
      const g = await gemini(good.key).models.generateContent({ model: 'gemini-test', contents: 'hi' });
      expect(g.text).toContain('hi');
      await expect(gemini('sk-bad').models.generateContent({ model: 'gemini-test', contents: 'hi' })).rejects.toMatchObject({ status: 401 });
    });

    it_('disabled key → 401 in every protocol; enabled again → served (within a second)', async () => {
      const t = await token();
      for (const p of PROTOCOLS) expectServed(p, await call(url, p, t.key));
      expect((await admin.patch(`/api/tokens/${t.id}`, { status: 'disabled' })).status).toBe(200);
      await eventually(async () => (await call(url, 'openai', t.key)).status === 401, 1_000, 'the disabled key to be refused');
      for (const p of PROTOCOLS) expectRefusal(p, await call(url, p, t.key), 'bad_key', /disabled/);
      expect((await admin.patch(`/api/tokens/${t.id}`, { status: 'active' })).status).toBe(200);
      await eventually(async () => (await call(url, 'openai', t.key)).status === 200, 1_000, 'the enabled key to be served');
    });

    it_('disabled or deleted user, deleted key → 401', async () => {
      const u = await admin.post<Row>('/api/users', { name: 'soon-disabled', balance: null });
      const t = await token({ userId: u.body.id });
      const other = await token();
      expectServed('openai', await call(url, 'openai', t.key));
      expectServed('openai', await call(url, 'openai', other.key));
      await admin.patch(`/api/users/${u.body.id}`, { status: 'disabled' });
      await eventually(async () => (await call(url, 'openai', t.key)).status === 401, 1_000, 'the disabled user to be refused');
      for (const p of PROTOCOLS) expectRefusal(p, await call(url, p, t.key), 'bad_key', /user/);
      await admin.patch(`/api/users/${u.body.id}`, { status: 'active' });
      await eventually(async () => (await call(url, 'openai', t.key)).status === 200, 1_000, 'the user enabled again');
      await admin.del(`/api/users/${u.body.id}`);
      await eventually(async () => (await call(url, 'openai', t.key)).status === 401, 1_000, 'the deleted user to be refused');
      await admin.del(`/api/tokens/${other.id}`);
      await eventually(async () => (await call(url, 'openai', other.key)).status === 401, 1_000, 'the deleted key to be refused');
      for (const p of PROTOCOLS) expectRefusal(p, await call(url, p, other.key), 'bad_key');
    });

    it_('expired key → 401 in every protocol, and its status flips to expired', async () => {
      const past = await token({ expiresAt: new Date(Date.now() - 1_000).toISOString() });
      expect(past.body.status).toBe('expired');
      for (const p of PROTOCOLS) expectRefusal(p, await call(url, p, past.key), 'bad_key', /expired/);

      const soon = await token({ expiresAt: new Date(Date.now() + 1_500).toISOString() });
      expectServed('openai', await call(url, 'openai', soon.key));
      await eventually(async () => (await call(url, 'openai', soon.key)).status === 401, 3_000, 'the key to expire');
      for (const p of PROTOCOLS) expectRefusal(p, await call(url, p, soon.key), 'bad_key', /expired/);
      expect((await admin.get<Row>(`/api/tokens/${soon.id}`)).body.status).toBe('expired');
      // Extending the expiry brings it back.
      const ext = await admin.patch<Row>(`/api/tokens/${soon.id}`, { expiresAt: null });
      expect(ext.body.status).toBe('active');
      await eventually(async () => (await call(url, 'openai', soon.key)).status === 200, 1_000, 'the extended key to be served');
    });

    it_('IP allow-list: the client address is checked; X-Forwarded-For only from a trusted proxy → else 403', async () => {
      const local = await token({ allowIps: ['127.0.0.1'] });
      const cidr = await token({ allowIps: ['127.0.0.0/30'] });
      const remote = await token({ allowIps: ['203.0.113.0/24', '2001:db8::/32'] });
      for (const p of PROTOCOLS) {
        expectServed(p, await call(url, p, local.key));
        expectServed(p, await call(url, p, cidr.key));
        expectRefusal(p, await call(url, p, remote.key), 'forbidden_ip');
      }
      // 127.0.0.2 is inside 127.0.0.0/30 but not 127.0.0.1.
      expectServed('openai', await call(url, 'openai', cidr.key, undefined, { dispatcher: untrusted }));
      expectRefusal('openai', await call(url, 'openai', local.key, undefined, { dispatcher: untrusted }), 'forbidden_ip');
      // Through the trusted proxy (127.0.0.1), the forwarded address is the client's.
      const via = (ip: string) => ({ headers: { 'x-forwarded-for': ip } });
      for (const p of PROTOCOLS) expectServed(p, await call(url, p, remote.key, undefined, via('203.0.113.50')));
      expectServed('openai', await call(url, 'openai', remote.key, undefined, via('2001:db8::1')));
      expectRefusal('openai', await call(url, 'openai', local.key, undefined, via('203.0.113.50')), 'forbidden_ip');
      // From an untrusted peer, a forged X-Forwarded-For changes nothing.
      for (const p of PROTOCOLS) {
        expectRefusal(p, await call(url, p, remote.key, undefined, { ...via('203.0.113.50'), dispatcher: untrusted }), 'forbidden_ip');
      }
    });

    it_('model allow-list → 403 for any other model in every protocol', async () => {
      const t = await token({ models: ['gpt-4o-mini'] });
      expectServed('openai', await call(url, 'openai', t.key, 'gpt-4o-mini'));
      expectRefusal('openai', await call(url, 'openai', t.key, 'gpt-other'), 'forbidden_model', /gpt-other/);
      expectRefusal('anthropic', await call(url, 'anthropic', t.key, 'claude-test'), 'forbidden_model', /claude-test/);
      expectRefusal('gemini', await call(url, 'gemini', t.key, 'gemini-test'), 'forbidden_model', /gemini-test/);
      const all = await token({ models: ['gpt-4o-mini', 'claude-test', 'gemini-test'] });
      for (const p of PROTOCOLS) expectServed(p, await call(url, p, all.key, MODEL_OF[p]));
      // The allow-list changes on the next request.
      await admin.patch(`/api/tokens/${t.id}`, { models: ['gpt-other'] });
      await eventually(async () => (await call(url, 'openai', t.key, 'gpt-4o-mini')).status === 403, 1_000, 'the new allow-list');
    });

    it_('group: a key routes only to channels of its group (token group, else its user group)', async () => {
      expect((await admin.post('/api/groups', { name: 'vip' })).status).toBe(201);
      const vip = await token({ group: 'vip' });
      for (const p of PROTOCOLS) expectRefusal(p, await call(url, p, vip.key), 'not_found');
      const u = await admin.post<Row>('/api/users', { name: 'vip-user', group: 'vip', balance: null });
      const inherited = await token({ userId: u.body.id });
      expectRefusal('openai', await call(url, 'openai', inherited.key), 'not_found');
      const backToDefault = await admin.patch<Row>(`/api/tokens/${inherited.id}`, { group: 'default' });
      expect(backToDefault.body.group).toBe('default');
      await eventually(async () => (await call(url, 'openai', inherited.key)).status === 200, 1_000, 'the default group');
      await admin.patch(`/api/tokens/${inherited.id}`, { group: null });
      await eventually(async () => (await call(url, 'openai', inherited.key)).status === 404, 1_000, 'the inherited vip group');
      await admin.patch(`/api/users/${u.body.id}`, { group: 'default' });
      await eventually(async () => (await call(url, 'openai', inherited.key)).status === 200, 1_000, 'the user moved to default');
    });

    it_('checks in order: status before expiry before IP before model', async () => {
      const expires = new Date(Date.now() - 1_000).toISOString();
      const disabledExpired = await token({ status: 'disabled', expiresAt: expires, allowIps: ['203.0.113.1'], models: ['gpt-other'] });
      expectRefusal('openai', await call(url, 'openai', disabledExpired.key), 'bad_key', /disabled/);
      const expiredBadIp = await token({ expiresAt: expires, allowIps: ['203.0.113.1'], models: ['gpt-other'] });
      expectRefusal('openai', await call(url, 'openai', expiredBadIp.key), 'bad_key', /expired/);
      const badIpBadModel = await token({ allowIps: ['203.0.113.1'], models: ['gpt-other'] });
      expectRefusal('openai', await call(url, 'openai', badIpBadModel.key), 'forbidden_ip');
      const badModel = await token({ models: ['gpt-other'] });
      expectRefusal('openai', await call(url, 'openai', badModel.key), 'forbidden_model');
    });
  });
});
