// Budgets (SPEC §8): a spend cap per user, token and group and period. Spent up to the budget, the next request is
// refused before any upstream call with the quota error of the client's protocol (official SDKs), naming the budget
// and its reset; the soft limit raises one `budget_reached` event per period; the spend survives a restart (seeded
// from the ledger); a new period admits again (BUDGET_CLOCK_OFFSET_MS moves the gateway two days on); two gateway
// replicas share one budget exactly.
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { budgetWindow } from '@switchboard/limits';
import { startMockUpstream, type MockUpstream } from '@switchboard/testing';
import { startHookReceiver, verifySignature } from '../../support/alert-receivers';
import { adminClient, eventually, startStandalone, type System } from '../../support/harness';
import { startIsolatedCluster, type IsolatedCluster } from './support/private-brokers';
import { PROTOCOLS, call, expectRefusal, expectServed, type Proto } from './support/protocol-calls';

jest.setTimeout(240_000);

type Admin = ReturnType<typeof adminClient>;
type Row = Record<string, any>;

/** Each costs exactly $0.01 per request: the budget arithmetic is exact. */
const PRICED: Record<Proto, string> = { openai: 'gpt-4o-mini', anthropic: 'claude-test', gemini: 'gemini-test' };
const PRICE = { input: 0, output: 0, perRequest: 0.01 };
const DAY_MS = 86_400_000;
/** The gateways' budget clock is set to noon of the day the file starts: a run crossing midnight stays in one period. */
const NOON = ((d) => d.setUTCHours(12, 0, 0, 0) - Date.now())(new Date());
const budgetNow = () => Date.now() + NOON;

async function setUp(admin: Admin, mock: MockUpstream): Promise<void> {
  for (const ch of [
    { name: 'mock-openai', type: 'openai', keys: ['sk-up-openai'], models: [PRICED.openai] },
    { name: 'mock-anthropic', type: 'anthropic', keys: ['sk-up-anthropic'], models: [PRICED.anthropic] },
    { name: 'mock-gemini', type: 'gemini', keys: ['up-gemini'], models: [PRICED.gemini] },
  ]) {
    expect((await admin.post('/api/channels', { ...ch, baseUrl: mock.url, groups: ['default', 'capped'] })).status).toBe(201);
  }
  for (const model of Object.values(PRICED)) expect((await admin.put(`/api/prices/${model}`, PRICE)).status).toBe(200);
}

/** One request through the protocol's official SDK: 'ok', or the refusal as the SDK reports it. */
async function sdkCall(base: string, proto: Proto, key: string): Promise<'ok' | { status: number; message: string; body: unknown }> {
  try {
    if (proto === 'openai') {
      const r = await new OpenAI({ apiKey: key, baseURL: `${base}/v1`, maxRetries: 0 }).chat.completions.create({
        model: PRICED.openai,
        messages: [{ role: 'user', content: 'hi' }],
      });
      expect(typeof r.choices[0]?.message.content).toBe('string');
    } else if (proto === 'anthropic') {
      const r = await new Anthropic({ apiKey: key, baseURL: base, maxRetries: 0 }).messages.create({
        model: PRICED.anthropic,
        max_tokens: 16,
        messages: [{ role: 'user', content: 'hi' }],
      });
      expect(r.type).toBe('message');
    } else {
      const r = await new GoogleGenAI({ apiKey: key, httpOptions: { baseUrl: base, apiVersion: 'v1beta' } }).models.generateContent({
        model: PRICED.gemini,
        contents: 'hi',
      });
      expect(Array.isArray(r.candidates)).toBe(true);
    }
    return 'ok';
  } catch (e) {
    const err = e as { status?: number; code?: number; message?: string; error?: unknown };
    return { status: err.status ?? err.code ?? 0, message: String(err.message), body: err.error };
  }
}

const metric = async (base: string, scope: string, kind: string): Promise<number> => {
  const text = await (await fetch(`${base}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`switchboard_budget_events_total{scope="${scope}",kind="${kind}"}`));
  return line ? Number(line.split(' ').pop()) : 0;
};

describe('budgets (standalone, official SDKs)', () => {
  let mock: MockUpstream;
  let sys: System | null = null;
  let admin: Admin;
  const users: Partial<Record<Proto, { id: number; key: string }>> = {};
  let groupKey = '';
  let tokenWithBudget = { id: 0, key: '' };
  let hooks: Awaited<ReturnType<typeof startHookReceiver>>;
  let hookSecret = '';

  const boot = async (offsetMs: number, dataDir?: string) => {
    sys = await startStandalone({ BUDGET_CLOCK_OFFSET_MS: String(offsetMs) }, dataDir);
    admin = adminClient(sys.url, sys.adminKey);
  };

  beforeAll(async () => {
    [mock, hooks] = await Promise.all([startMockUpstream(), startHookReceiver()]);
    await boot(NOON);
    const hook = await admin.post<{ secret: string }>('/api/alert-channels', { type: 'webhook', target: `${hooks.url}/budgets`, events: ['budget_reached'] });
    expect(hook.status).toBe(201);
    hookSecret = hook.body.secret;
    expect((await admin.post('/api/groups', { name: 'capped', budget: { amount: 0.02, period: 'month' } })).status).toBe(201);
    await setUp(admin, mock);
  });

  afterAll(async () => {
    await sys?.stop();
    await Promise.all([mock?.close(), hooks?.close()]);
  });

  it('spends a user budget up to its amount, then refuses in each protocol with its quota error naming the budget and its reset', async () => {
    const upstreamBefore = mock.requests.length;
    const resetsAt = new Date(budgetWindow('day', budgetNow()).resetMs).toISOString();
    for (const p of PROTOCOLS) {
      const u = await admin.post<Row>('/api/users', { name: `spender-${p}`, balance: 100, budget: { amount: 0.03, period: 'day', softLimit: 0.02 } });
      expect(u.status).toBe(201);
      expect(u.body.budget).toMatchObject({ amount: 0.03, period: 'day', softLimit: 0.02, spent: 0, resetsAt });
      const t = await admin.post<Row>('/api/tokens', { userId: u.body.id });
      users[p] = { id: u.body.id, key: t.body.key };
      for (let i = 0; i < 3; i++) expect(await sdkCall(sys!.url, p, t.body.key)).toBe('ok');
      const refused = await sdkCall(sys!.url, p, t.body.key);
      expect(refused).toMatchObject({ status: p === 'anthropic' ? 402 : 429 });
      // The raw answer is the protocol's own quota error (the same the token quota and the balance give).
      const raw = await call(sys!.url, p, t.body.key, PRICED[p]);
      expectRefusal(p, raw, 'quota', new RegExp(`daily budget of \\$0\\.03 for user ${u.body.id} is spent; it resets at ${resetsAt.replace(/\./g, '\\.')}`));
    }
    // Three served per user and protocol; no refused request reached the upstream.
    expect(mock.requests.length - upstreamBefore).toBe(9);
    expect(await metric(sys!.url, 'user', 'refused')).toBe(6);
  });

  it('the soft limit raises one budget_reached event per budget and period, delivered as a signed alert', async () => {
    expect(await metric(sys!.url, 'user', 'reached')).toBe(3);
    expect(await sdkCall(sys!.url, 'openai', users.openai!.key)).not.toBe('ok');
    expect(await metric(sys!.url, 'user', 'reached')).toBe(3);
    const alerts = await eventually(
      async () => {
        const got = hooks.hooks.filter((h) => h.path === '/budgets' && h.headers['switchboard-event'] === 'budget_reached');
        return got.length >= 3 ? got : null;
      },
      10_000,
      'three budget_reached alerts',
    );
    for (const h of alerts) expect(verifySignature(hookSecret, h.headers['switchboard-signature'] as string, h.body)).toBe(true);
    const payloads = alerts.map((h) => JSON.parse(h.body) as { subject: string; details: Record<string, unknown> });
    expect(payloads.map((a) => a.subject).sort()).toEqual(PROTOCOLS.map((p) => `user:${users[p]!.id}`).sort());
    expect(payloads[0].details).toMatchObject({ scope: 'user', amountUsd: 0.03, softLimitUsd: 0.02, period: 'day' });
    expect(payloads[0].details.spentUsd as number).toBeGreaterThanOrEqual(0.02);
  });

  it("a user's read shows the period's spend from the ledger", async () => {
    for (const p of PROTOCOLS) {
      await eventually(async () => (await admin.get<Row>(`/api/users/${users[p]!.id}`)).body.budget?.spent === 0.03, 20_000, `${p} user spend billed`);
    }
  });

  it('token and group budgets refuse the same way, naming the token or the group', async () => {
    const t = await admin.post<Row>('/api/tokens', { name: 'capped-key', budget: { amount: 0.01, period: 'week' } });
    tokenWithBudget = { id: t.body.id, key: t.body.key };
    expect(await sdkCall(sys!.url, 'openai', t.body.key)).toBe('ok');
    const r = await call(sys!.url, 'openai', t.body.key, PRICED.openai);
    expectRefusal('openai', r, 'quota', new RegExp(`weekly budget of \\$0\\.01 for token ${t.body.id} is spent`));

    const u = await admin.post<Row>('/api/users', { name: 'grouped', group: 'capped', balance: 100 });
    const g = await admin.post<Row>('/api/tokens', { userId: u.body.id });
    groupKey = g.body.key;
    expect(await sdkCall(sys!.url, 'gemini', groupKey)).toBe('ok');
    expect(await sdkCall(sys!.url, 'anthropic', groupKey)).toBe('ok');
    expectRefusal('gemini', await call(sys!.url, 'gemini', groupKey, PRICED.gemini), 'quota', /monthly budget of \$0\.02 for group "capped" is spent/);
    await eventually(async () => (await admin.get<Row>('/api/groups/capped')).body.budget?.spent === 0.02, 20_000, 'group spend billed');
    await eventually(async () => (await admin.get<Row>(`/api/tokens/${t.body.id}`)).body.budget?.spent === 0.01, 20_000, 'token spend billed');
  });

  it('raising the amount admits again at once; the spend is kept', async () => {
    expect((await admin.patch<Row>(`/api/tokens/${tokenWithBudget.id}`, { budget: { amount: 0.02, period: 'week' } })).body.budget).toMatchObject({
      spent: 0.01,
    });
    await eventually(async () => (await sdkCall(sys!.url, 'openai', tokenWithBudget.key)) === 'ok', 5_000, 'raised budget admits');
    expectRefusal('openai', await call(sys!.url, 'openai', tokenWithBudget.key, PRICED.openai), 'quota', /weekly budget of \$0\.02/);
  });

  it('the spend survives a restart: the period is seeded from the ledger', async () => {
    const dataDir = sys!.dataDir;
    await sys!.stop();
    await boot(NOON, dataDir);
    for (const p of PROTOCOLS) expectRefusal(p, await call(sys!.url, p, users[p]!.key, PRICED[p]), 'quota', /daily budget/);
    expectRefusal('anthropic', await call(sys!.url, 'anthropic', groupKey, PRICED.anthropic), 'quota', /group "capped"/);
  });

  // Two days on, not one: the file may have crossed midnight, and spend billed after it belongs to the next day.
  it('a new period admits again (the gateway two days later)', async () => {
    const dataDir = sys!.dataDir;
    await sys!.stop();
    await boot(NOON + 2 * DAY_MS, dataDir);
    const later = budgetNow() + 2 * DAY_MS;
    for (const p of PROTOCOLS) {
      expect(await sdkCall(sys!.url, p, users[p]!.key)).toBe('ok');
      const u = await admin.get<Row>(`/api/users/${users[p]!.id}`);
      expect(u.body.budget).toMatchObject({ periodStart: new Date(budgetWindow('day', later).startMs).toISOString() });
    }
    // The month (and the week) reset only when two days later is another one.
    const sameMonth = budgetWindow('month', later).startMs === budgetWindow('month', budgetNow()).startMs;
    const r = await call(sys!.url, 'openai', groupKey, PRICED.openai);
    if (sameMonth) expectRefusal('openai', r, 'quota', /group "capped"/);
    else expectServed('openai', r);
  });
});

describe('budgets across two gateway replicas (cluster)', () => {
  let mock: MockUpstream;
  let sys: IsolatedCluster | null = null;

  beforeAll(async () => {
    mock = await startMockUpstream();
    sys = await startIsolatedCluster({ gateways: 2, fallbackRedisDb: 12, env: { BUDGET_CLOCK_OFFSET_MS: String(NOON) } });
    if (sys) await setUp(adminClient(sys.gateways[0], sys.adminKey), mock);
  });

  afterAll(async () => {
    await sys?.stop();
    await mock?.close();
  });

  it('40 concurrent requests on both replicas against a budget for 5: exactly 5 served, one soft-limit event in all', async () => {
    if (!sys) return;
    const [A, B] = sys.gateways as [string, string];
    const admin = adminClient(A, sys.adminKey);
    const u = await admin.post<Row>('/api/users', { name: 'shared', balance: 100, budget: { amount: 0.05, period: 'day', softLimit: 0.03 } });
    const key = (await admin.post<Row>('/api/tokens', { userId: u.body.id })).body.key as string;
    // The key is known (routes and prices included) on both replicas before the burst.
    const probe = (await admin.post<Row>('/api/tokens', { name: 'probe' })).body.key as string;
    await eventually(
      async () => (await call(A, 'openai', probe, PRICED.openai)).status === 200 && (await call(B, 'openai', probe, PRICED.openai)).status === 200,
      20_000,
      'both replicas serve',
    );
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => call(i % 2 ? B : A, 'openai', key, PRICED.openai)));
    const served = results.filter((r) => r.status === 200);
    expect(served).toHaveLength(5);
    for (const r of results.filter((x) => x.status !== 200)) expectRefusal('openai', r, 'quota', /daily budget of \$0\.05/);
    await eventually(async () => (await metric(A, 'user', 'reached')) + (await metric(B, 'user', 'reached')) === 1, 10_000, 'one budget_reached event');
    await eventually(async () => (await admin.get<Row>(`/api/users/${u.body.id}`)).body.budget?.spent === 0.05, 20_000, 'spend billed');
    expect((await metric(A, 'user', 'reached')) + (await metric(B, 'user', 'reached'))).toBe(1);
  });
});
