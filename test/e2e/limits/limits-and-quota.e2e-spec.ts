// Issue #4, limits half: RPM, TPM and concurrency per token and per group, held across two gateway replicas on one
// Redis (cluster) and in memory (standalone); quota reserved before and settled after, so 200 concurrent requests
// can never overspend a token quota or a shared user balance; admin changes reach every replica within a second;
// limits + reservation are one Redis round trip per request.
import { Redis } from 'ioredis';
import pg from 'pg';
import { startMockUpstream, type MockUpstream } from '@switchboard/testing';
import { LIMIT_SCRIPTS } from '../../../libs/limits/src/redis-limit.store';
import { adminClient, eventually, startStandalone, type System } from '../../support/harness';
import { startIsolatedCluster, type IsolatedCluster } from './support/private-brokers';
import { PROTOCOLS, call, errorMessage, expectRefusal, expectServed, type Proto } from './support/protocol-calls';

jest.setTimeout(180_000);

type Topology = 'standalone' | 'cluster';
type Admin = ReturnType<typeof adminClient>;
type Row = Record<string, any>;

/** Costs exactly $0.01 per request whatever the tokens: the quota arithmetic is exact. */
const PER_REQUEST_MODEL = 'priced-model';
const PRICE = { input: 0, output: 0, perRequest: 0.01 };
/** the model each protocol reaches its own vendor's channel with (no conversion involved) */
const PRICED: Record<Proto, string> = { openai: PER_REQUEST_MODEL, anthropic: 'claude-test', gemini: 'gemini-test' };

interface OpenStream {
  /** client goes away mid-stream */
  abort(): void;
  /** resolves when the stream has ended (or was aborted) */
  done: Promise<void>;
}

/** Starts an OpenAI chat stream and resolves once its first bytes have arrived (the request holds its slot). */
async function openStream(base: string, key: string, text: string, maxTokens?: number): Promise<OpenStream> {
  const ac = new AbortController();
  const res = await fetch(`${base}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: text }], ...(maxTokens ? { max_tokens: maxTokens } : {}) }),
    signal: ac.signal,
  });
  if (res.status !== 200) throw new Error(`stream refused: ${res.status} ${await res.text()}`);
  const reader = res.body!.getReader();
  await reader.read();
  const done = (async () => {
    try {
      for (;;) if ((await reader.read()).done) return;
    } catch {
      /* aborted */
    }
  })();
  return { abort: () => ac.abort(), done };
}

describe.each<Topology>(['standalone', 'cluster'])('rate limits and quota across gateway replicas (%s)', (topology) => {
  let mock: MockUpstream;
  let sys: (System & { dropDatabase?: () => Promise<void> }) | IsolatedCluster | null = null;
  let A: string;
  let B: string;
  let adminA: Admin;
  let adminB: Admin;
  let skip = false;

  const token = async (body: Row = {}): Promise<{ id: number; key: string }> => {
    const r = await adminA.post<Row>('/api/tokens', { name: `t-${Math.random().toString(36).slice(2, 8)}`, ...body });
    if (r.status !== 201) throw new Error(`token create ${r.status} ${JSON.stringify(r.body)}`);
    return { id: r.body.id, key: r.body.key };
  };
  const user = async (body: Row): Promise<number> => {
    const r = await adminA.post<Row>('/api/users', body);
    if (r.status !== 201) throw new Error(`user create ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.id;
  };
  /**
   * The served (200) records of a token or user, once `n` of them have reached the log store. (Refusals are logged
   * too when they happen after authentication; a key already flipped to `exhausted` is refused at authentication.)
   */
  const servedLogsOf = async (filter: string, n: number): Promise<Row[]> =>
    eventually(
      async () => {
        const r = await adminA.get<{ data: Row[] }>(`/api/logs?${filter}&status=200&limit=500`);
        return r.body.data.length >= n ? r.body.data : null;
      },
      20_000,
      `${n} served log records for ${filter}`,
    );
  const allLogsOf = async (filter: string): Promise<Row[]> => (await adminA.get<{ data: Row[] }>(`/api/logs?${filter}&limit=500`)).body.data;
  const ledgerSumMicros = async (where: string, id: number): Promise<number> => {
    const db = new pg.Client({ connectionString: (sys as IsolatedCluster).databaseUrl });
    await db.connect();
    try {
      const r = await db.query(
        `SELECT COALESCE(SUM("amountMicros"), 0)::text AS s, COUNT(*)::int AS n FROM ledger_entries WHERE kind = 'usage' AND "${where}" = $1`,
        [id],
      );
      return Number(r.rows[0].s);
    } finally {
      await db.end();
    }
  };
  const it_ = (name: string, fn: () => Promise<void>) => it(name, async () => (skip ? undefined : fn()));

  beforeAll(async () => {
    mock = await startMockUpstream();
    if (topology === 'standalone') sys = await startStandalone();
    else {
      sys = await startIsolatedCluster({ gateways: 2, fallbackRedisDb: 11 });
      if (!sys) {
        skip = true;
        return;
      }
    }
    A = sys.gateways[0]!;
    B = sys.gateways[1] ?? A;
    adminA = adminClient(A, sys.adminKey);
    adminB = adminClient(B, sys.adminKey);
    expect((await adminA.post('/api/groups', { name: 'team', rpm: 2 })).status).toBe(201);
    expect((await adminA.post('/api/groups', { name: 'metered', rpm: 1000, tpm: 1_000_000, maxConcurrency: 50 })).status).toBe(201);
    const groups = ['default', 'team', 'metered'];
    for (const ch of [
      { name: 'mock-openai', type: 'openai', keys: ['sk-up-openai'], models: ['gpt-4o-mini', 'gpt-other', PER_REQUEST_MODEL] },
      { name: 'mock-anthropic', type: 'anthropic', keys: ['sk-up-anthropic'], models: ['claude-test'] },
      { name: 'mock-gemini', type: 'gemini', keys: ['up-gemini'], models: ['gemini-test'] },
    ]) {
      expect((await adminA.post('/api/channels', { ...ch, baseUrl: mock.url, groups })).status).toBe(201);
    }
    for (const model of Object.values(PRICED)) expect((await adminA.put(`/api/prices/${model}`, PRICE)).status).toBe(200);
    // Routes and prices reach every replica by event: wait until a metered key is served everywhere.
    const probe = await token({ quota: 1 });
    await eventually(
      async () => {
        for (const base of [A, B]) for (const p of PROTOCOLS) if ((await call(base, p, probe.key, PRICED[p])).status !== 200) return false;
        return true;
      },
      15_000,
      'routes and prices on every replica',
    );
  });

  afterAll(async () => {
    await sys?.stop();
    await (sys as { dropDatabase?: () => Promise<void> } | null)?.dropDatabase?.();
    await mock?.close();
  });

  // ------------------------------------------------------------------ rate limits
  it_('RPM is one sliding window for both replicas, with x-ratelimit headers, then 429 + Retry-After in each protocol', async () => {
    const t = await token({ rpm: 3 });
    const served = [await call(A, 'openai', t.key), await call(B, 'anthropic', t.key), await call(A, 'gemini', t.key)];
    served.forEach((r, i) => expectServed(PROTOCOLS[i], r));
    expect(served.map((r) => r.headers.get('x-ratelimit-limit-requests'))).toEqual(['3', '3', '3']);
    expect(served.map((r) => r.headers.get('x-ratelimit-remaining-requests'))).toEqual(['2', '1', '0']);
    expect(served[0].headers.get('x-ratelimit-reset-requests')).toMatch(/^\d+s$/);
    for (const [i, p] of PROTOCOLS.entries()) {
      const r = await call(i % 2 ? A : B, p, t.key);
      expectRefusal(p, r, 'rate_limited', /requests per minute/);
      expect(Number(r.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    }
    // Gemini clients also get the delay in the body, as Google sends it.
    const g = await call(B, 'gemini', t.key);
    expect(g.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ '@type': 'type.googleapis.com/google.rpc.RetryInfo' })]));
    // Another key is not affected.
    expectServed('openai', await call(B, 'openai', (await token()).key));
  });

  it_("a user's own RPM holds over all of its tokens and both replicas; lifting it reaches every replica", async () => {
    const uid = await user({ name: `rpm-user-${topology}`, balance: null, rpm: 2 });
    expect((await adminA.get<Row>(`/api/users/${uid}`)).body).toMatchObject({ rpm: 2, tpm: null, maxConcurrency: null });
    const t1 = await token({ userId: uid });
    const t2 = await token({ userId: uid });
    expectServed('openai', await call(A, 'openai', t1.key));
    expectServed('anthropic', await call(B, 'anthropic', t2.key));
    const refused = await call(A, 'gemini', t1.key);
    expectRefusal('gemini', refused, 'rate_limited', /requests per minute \(user limit 2\)/);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expectRefusal('openai', await call(B, 'openai', t2.key), 'rate_limited', /user limit 2/);
    // Another user's key is not affected.
    expectServed('openai', await call(B, 'openai', (await token()).key));
    expect((await adminA.patch(`/api/users/${uid}`, { rpm: null })).status).toBe(200);
    for (const base of [A, B]) await eventually(async () => (await call(base, 'openai', t2.key)).status === 200, 3_000, 'the lifted user limit');
  });

  it_('TPM counts the estimate before the request and the real usage after, on both replicas', async () => {
    const t = await token({ tpm: 300 });
    // ~200 tokens estimated (max_tokens) while the first stream runs on A…
    const first = await openStream(A, t.key, '[chunks:4] [delay:200] go', 200);
    const refused = await call(B, 'openai', t.key, 'gpt-4o-mini', { maxTokens: 200 });
    expectRefusal('openai', refused, 'rate_limited', /tokens per minute/);
    expectRefusal('anthropic', await call(A, 'anthropic', t.key, 'claude-test', { maxTokens: 200 }), 'rate_limited', /tokens per minute/);
    expectRefusal('gemini', await call(B, 'gemini', t.key, 'gemini-test', { maxTokens: 200 }), 'rate_limited', /tokens per minute/);
    await first.done;
    // …then corrected to the handful it really used: the same request fits now.
    const after = await eventually(
      async () => {
        const r = await call(B, 'openai', t.key, 'gpt-4o-mini', { maxTokens: 200 });
        return r.status === 200 ? r : null;
      },
      5_000,
      'the TPM estimate to be corrected',
    );
    expect(after.headers.get('x-ratelimit-limit-tokens')).toBe('300');
    expect(Number(after.headers.get('x-ratelimit-remaining-tokens'))).toBeLessThan(100);
  });

  it_('concurrency is shared by both replicas and released at stream end and on client abort', async () => {
    const t = await token({ maxConcurrency: 2 });
    const s1 = await openStream(A, t.key, '[chunks:8] [delay:250] one');
    const s2 = await openStream(B, t.key, '[chunks:8] [delay:250] two');
    for (const [i, p] of PROTOCOLS.entries()) {
      const r = await call(i % 2 ? B : A, p, t.key);
      expectRefusal(p, r, 'rate_limited', /concurrent requests/);
      expect(r.headers.get('retry-after')).toBe('1');
    }
    // The client of s1 goes away: its slot is free again (on the other replica too).
    s1.abort();
    await eventually(async () => (await call(B, 'openai', t.key)).status === 200, 5_000, 'the aborted stream to free its slot');
    // s2 ends normally: both slots are free.
    await s2.done;
    await eventually(
      async () => {
        const both = await Promise.all(
          [openStream(A, t.key, '[chunks:3] [delay:200] x'), openStream(B, t.key, '[chunks:3] [delay:200] y')].map((p) => p.catch(() => null)),
        );
        await Promise.all(both.map((s) => s?.done ?? Promise.resolve()));
        return both.every(Boolean);
      },
      5_000,
      'two concurrent streams again',
    );
  });

  it_('group limits come from the group row and hold for all its keys on both replicas', async () => {
    const uid = await user({ name: `team-user-${topology}`, group: 'team', balance: null });
    const t1 = await token({ userId: uid });
    const t2 = await token({ userId: uid });
    const r1 = await call(A, 'openai', t1.key);
    expectServed('openai', r1);
    expect(r1.headers.get('x-ratelimit-limit-requests')).toBe('2');
    expectServed('anthropic', await call(B, 'anthropic', t2.key));
    for (const p of PROTOCOLS) expectRefusal(p, await call(p === 'anthropic' ? A : B, p, p === 'gemini' ? t1.key : t2.key), 'rate_limited', /group limit/);
    // Lifting the group limit on one replica's admin API frees both keys everywhere within a second.
    const t0 = Date.now();
    expect((await adminB.patch('/api/groups/team', { rpm: null })).status).toBe(200);
    await eventually(async () => (await call(A, 'openai', t1.key)).status === 200, 1_000, 'the lifted group limit');
    expect(Date.now() - t0).toBeLessThan(1_000);
  });

  // ------------------------------------------------------------------ quota
  it_('a quota that cannot cover the reservation → OpenAI 429 insufficient_quota, Anthropic 402 billing_error, Gemini 429 RESOURCE_EXHAUSTED', async () => {
    const t = await token({ quota: 0.005 });
    for (const p of PROTOCOLS) expectRefusal(p, await call(A, p, t.key, PRICED[p]), 'quota', /quota/);
    const uid = await user({ name: `broke-${topology}`, balance: 0.005 });
    const u = await token({ userId: uid });
    for (const p of PROTOCOLS) expectRefusal(p, await call(B, p, u.key, PRICED[p]), 'quota', /balance/);
    // Raising the quota on B's admin API lets the key through on A within a second.
    expect((await adminB.patch(`/api/tokens/${t.id}`, { quota: 1 })).status).toBe(200);
    await eventually(async () => (await call(A, 'openai', t.key, PER_REQUEST_MODEL)).status === 200, 1_000, 'the raised quota');
  });

  it_('200 concurrent requests against a token quota that covers 10: exactly 10 served, never more spent, ledger = usedQuota', async () => {
    const t = await token({ quota: 0.1 });
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => call(i % 2 ? B : A, 'openai', t.key, PER_REQUEST_MODEL)));
    const served = results.filter((r) => r.status === 200);
    expect(served).toHaveLength(10);
    for (const r of results.filter((x) => x.status !== 200)) expectRefusal('openai', r, 'quota');

    const final = await eventually(
      async () => {
        const r = await adminA.get<Row>(`/api/tokens/${t.id}`);
        return r.body.usedQuota === 0.1 && r.body.status === 'exhausted' ? r.body : null;
      },
      15_000,
      'usedQuota 0.1 and status exhausted',
    );
    expect(final.quota - final.usedQuota).toBeGreaterThanOrEqual(0);
    const ok = await servedLogsOf(`tokenId=${t.id}`, 10);
    expect(ok).toHaveLength(10);
    expect(Math.round(ok.reduce((s, l) => s + l.cost, 0) * 1e6)).toBe(100_000);
    const refusedLogs = (await allLogsOf(`tokenId=${t.id}`)).filter((l) => l.status !== 200);
    expect(refusedLogs.every((l) => l.status === 429 && l.cost === 0)).toBe(true);
    if (topology === 'cluster') expect(await ledgerSumMicros('tokenId', t.id)).toBe(-100_000);
    // Exhausted: refused in every protocol, on both replicas.
    for (const [i, p] of PROTOCOLS.entries()) expectRefusal(p, await call(i % 2 ? A : B, p, t.key, PRICED[p]), 'quota');
    expect((await adminA.get<Row>(`/api/tokens/${t.id}`)).body.usedQuota).toBe(0.1);
  });

  it_('200 concurrent requests over 4 keys sharing one user balance that covers 10: exactly 10, balance ends at 0, never below', async () => {
    const uid = await user({ name: `wallet-${topology}`, balance: 0.1 });
    const keys = await Promise.all([0, 1, 2, 3].map(() => token({ userId: uid })));
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => call(i % 2 ? B : A, 'openai', keys[i % 4].key, PER_REQUEST_MODEL)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(10);
    for (const r of results.filter((x) => x.status !== 200)) {
      expectRefusal('openai', r, 'quota');
      expect(errorMessage(r.body)).toMatch(/balance/);
    }
    await eventually(async () => (await adminA.get<Row>(`/api/users/${uid}`)).body.balance === 0, 15_000, 'the balance to be debited to 0');
    const ok = await servedLogsOf(`userId=${uid}`, 10);
    expect(ok).toHaveLength(10);
    expect(Math.round(ok.reduce((s, l) => s + l.cost, 0) * 1e6)).toBe(100_000);
    if (topology === 'cluster') expect(await ledgerSumMicros('userId', uid)).toBe(-100_000);
    const used = await Promise.all(keys.map(async (k) => (await adminA.get<Row>(`/api/tokens/${k.id}`)).body.usedQuota as number));
    expect(Math.round(used.reduce((s, x) => s + x, 0) * 1e6)).toBe(100_000);
    // A top-up of two requests' worth, made on B, buys exactly two more (on either replica).
    expect((await adminB.post(`/api/users/${uid}/topup`, { amount: 0.02 })).status).toBe(200);
    await eventually(async () => (await call(A, 'openai', keys[0].key, PER_REQUEST_MODEL)).status === 200, 1_000, 'the top-up');
    const more = await Promise.all(Array.from({ length: 20 }, (_, i) => call(i % 2 ? A : B, 'openai', keys[i % 4].key, PER_REQUEST_MODEL)));
    expect(more.filter((r) => r.status === 200)).toHaveLength(1);
    await eventually(async () => (await adminA.get<Row>(`/api/users/${uid}`)).body.balance === 0, 15_000, 'the top-up spent');
  });

  // ------------------------------------------------------------------ propagation
  it_('every admin change made on one replica takes effect on the other within a second', async () => {
    const uid = await user({ name: `propagation-${topology}`, balance: null });
    const t = await token({ userId: uid });
    expectServed('openai', await call(B, 'openai', t.key));
    const steps: [string, () => Promise<unknown>, number][] = [
      ['disable', () => adminA.patch(`/api/tokens/${t.id}`, { status: 'disabled' }), 401],
      ['enable', () => adminA.patch(`/api/tokens/${t.id}`, { status: 'active' }), 200],
      ['model allow-list', () => adminA.patch(`/api/tokens/${t.id}`, { models: ['gpt-other'] }), 403],
      ['model allow-list lifted', () => adminA.patch(`/api/tokens/${t.id}`, { models: null }), 200],
      ['IP allow-list', () => adminA.patch(`/api/tokens/${t.id}`, { allowIps: ['203.0.113.9'] }), 403],
      ['IP allow-list lifted', () => adminA.patch(`/api/tokens/${t.id}`, { allowIps: [] }), 200],
      ['rpm 0', () => adminA.patch(`/api/tokens/${t.id}`, { rpm: 0 }), 429],
      ['rpm lifted', () => adminA.patch(`/api/tokens/${t.id}`, { rpm: null }), 200],
      ['quota 0', () => adminA.patch(`/api/tokens/${t.id}`, { quota: 0 }), 429],
      ['quota lifted', () => adminA.patch(`/api/tokens/${t.id}`, { quota: null }), 200],
      ['user disabled', () => adminA.patch(`/api/users/${uid}`, { status: 'disabled' }), 401],
      ['user enabled', () => adminA.patch(`/api/users/${uid}`, { status: 'active' }), 200],
      ['deleted', () => adminA.del(`/api/tokens/${t.id}`), 401],
    ];
    const slow: string[] = [];
    for (const [what, change, status] of steps) {
      const t0 = Date.now();
      await change();
      await eventually(async () => (await call(B, 'openai', t.key)).status === status, 2_000, `${what} → ${status}`);
      const ms = Date.now() - t0;
      if (ms >= 1_000) slow.push(`${what}: ${ms} ms`);
    }
    expect(slow).toEqual([]);
  });

  // ------------------------------------------------------------------ one Redis round trip
  it_('limits + reservation are ONE Redis call per request (token, user, group scopes and both quota accounts)', async () => {
    if (topology !== 'cluster') return; // standalone keeps its counters in memory
    const redisUrl = (sys as IsolatedCluster).redisUrl;
    const uid = await user({ name: 'metered-user', group: 'metered', balance: 5 });
    const t = await token({ userId: uid, quota: 1, rpm: 100, tpm: 1_000_000, maxConcurrency: 5 });
    expectServed('openai', await call(A, 'openai', t.key, PER_REQUEST_MODEL)); // warm caches and scripts
    const acquireSha = LIMIT_SCRIPTS.acquire.sha;
    const settleSha = LIMIT_SCRIPTS.settle.sha;
    const client = new Redis(redisUrl);
    const monitor = await client.monitor();
    const seen: string[][] = [];
    // Commands a script runs show up too (source "lua"): only what clients send is a round trip.
    monitor.on('monitor', (_time: string, args: string[], source: string) => {
      if (!/lua/i.test(source)) seen.push(args);
    });
    try {
      const settled = () => seen.filter((a) => a[0]?.toLowerCase() === 'evalsha' && a[1] === settleSha).length;
      for (let i = 0; i < 6; i++) expectServed('openai', await call(i % 2 ? B : A, 'openai', t.key, PER_REQUEST_MODEL));
      await eventually(async () => settled() === 6, 5_000, 'six settlements');
      // (billing folds what it billed, once per batch, and reconciles on its own schedule: not a request's cost)
      const billing = [LIMIT_SCRIPTS.snapshot.sha, LIMIT_SCRIPTS.correct.sha, LIMIT_SCRIPTS.confirm.sha];
      const limitCalls = seen.filter((a) => a.some((x) => x.includes('{lim}')) && a[0].toLowerCase() !== 'scan' && !billing.includes(a[1]));
      const acquires = limitCalls.filter((a) => a[0].toLowerCase() === 'evalsha' && a[1] === acquireSha);
      // One acquire per request (before the upstream call) and one settle after; nothing else touches the counters.
      expect(acquires).toHaveLength(6);
      expect(limitCalls).toHaveLength(12);
      for (const a of acquires) {
        const keys = a.slice(3, 3 + Number(a[2]));
        for (const k of [
          `rpm:token:${t.id}`,
          `tpm:token:${t.id}`,
          `cc:token:${t.id}`,
          `rpm:user:${uid}`,
          `rpm:group:metered`,
          `cc:group:metered`,
          `quota:token:${t.id}`,
          `quota:user:${uid}`,
        ]) {
          expect(keys.some((x) => x.endsWith(k))).toBe(true);
        }
      }
    } finally {
      monitor.disconnect();
      client.disconnect();
    }
    // The quota and the balance were each charged for the seven requests.
    await eventually(async () => (await adminA.get<Row>(`/api/tokens/${t.id}`)).body.usedQuota === 0.07, 10_000, 'usedQuota 0.07');
    await eventually(async () => (await adminA.get<Row>(`/api/users/${uid}`)).body.balance === 4.93, 10_000, 'balance 4.93');
  });

  // ------------------------------------------------------------------ counters reconciled with the ledger
  it_("billing reconciles the gateways' quota counters with the ledger, and puts a wrong one back", async () => {
    const uid = await user({ name: 'reconciled-user', balance: 1 });
    const t = await token({ userId: uid, quota: 0.5 });
    for (let i = 0; i < 4; i++) expectServed('openai', await call(i % 2 ? B : A, 'openai', t.key, PER_REQUEST_MODEL));
    await eventually(async () => (await adminA.get<Row>(`/api/users/${uid}`)).body.balance === 0.96, 10_000, 'balance 0.96');
    type Counters = { ran: boolean; checked: number; drifted: number; corrected: number; drifts: Row[] };
    const reconcile = async () => (await adminA.get<{ quotaCounters: Counters }>('/api/ledger/reconciliation')).body.quotaCounters;
    // Traffic as usual: both counters checked (the one standalone process shares its in-memory store with billing).
    const clean = await reconcile();
    expect(clean).toMatchObject({ ran: true, drifted: 0, corrected: 0 });
    expect(clean.checked).toBeGreaterThanOrEqual(2);
    if (topology !== 'cluster') return; // in-memory counters cannot be knocked out of line from outside the process
    // Knock the user's counter out of line in Redis (as a stale or lost update would): the key is refused...
    const client = new Redis((sys as IsolatedCluster).redisUrl);
    try {
      const key = `sb:{lim}:quota:user:${uid}`;
      expect(await client.get(key)).toBe('960000');
      await client.set(key, '0', 'KEEPTTL');
      expectRefusal('openai', await call(A, 'openai', t.key, PER_REQUEST_MODEL), 'quota');
      // ...until the reconciliation sets it back to what the ledger says.
      const fixed = await reconcile();
      expect(fixed.drifts).toContainEqual({ account: `user:${uid}`, counter: 0, expected: 0.96, drift: -0.96 });
      expect(fixed.corrected).toBeGreaterThanOrEqual(1);
      expect(await client.get(key)).toBe('960000');
      expectServed('openai', await call(B, 'openai', t.key, PER_REQUEST_MODEL));
    } finally {
      client.disconnect();
    }
    await eventually(async () => (await adminA.get<Row>(`/api/users/${uid}`)).body.balance === 0.95, 10_000, 'balance 0.95');
    expect((await reconcile()).drifted).toBe(0);
  });
});
