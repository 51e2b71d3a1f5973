// GATEWAY_WORKERS (SPEC §8), issue 18: standalone with two relay workers on one port. Limits, quota, revocations,
// console sessions and usage records must behave exactly as in one process; /metrics is the sum of all processes;
// SIGTERM drains every worker. Requests go over a new connection each, so the port hands them to both workers.
import http from 'node:http';
import { startMockUpstream, type MockUpstream } from '@switchboard/testing';
import { adminClient, eventually, startStandalone, type System } from '../../support/harness';
import { startIsolatedCluster, type IsolatedCluster } from '../limits/support/private-brokers';

// Two workers start after the primary: on a loaded 2-core machine that alone can take two minutes.
jest.setTimeout(400_000);
const READY_MS = 240_000;

type Row = Record<string, any>;
const PRICED = 'priced-model';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One request on a connection of its own (`agent: false`): the cluster's round robin spreads them over the workers. */
function fresh(url: string, opts: { method?: string; headers?: Record<string, string>; body?: unknown } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    const req = http.request(
      url,
      {
        method: opts.method ?? (payload ? 'POST' : 'GET'),
        agent: false,
        headers: { ...(payload ? { 'content-type': 'application/json' } : {}), ...opts.headers },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

const chat = (base: string, key: string, model = PRICED, text = 'hi') =>
  fresh(`${base}/v1/chat/completions`, { headers: { authorization: `Bearer ${key}` }, body: { model, messages: [{ role: 'user', content: text }] } });

/** `name{labels} value` lines of a Prometheus exposition, summed per label set matching `labels`. */
function series(text: string, name: string): { labels: string; value: number }[] {
  const out: { labels: string; value: number }[] = [];
  for (const line of text.split('\n')) {
    const m = new RegExp(`^${name}(\\{[^}]*\\})? (\\S+)$`).exec(line);
    if (m) out.push({ labels: m[1] ?? '', value: Number(m[2]) });
  }
  return out;
}
const total = (text: string, name: string) => series(text, name).reduce((n, s) => n + s.value, 0);
/** Relay requests each worker has finished, from switchboard_worker_requests{worker}. */
const perWorker = (text: string): Record<string, number> => Object.fromEntries(series(text, 'switchboard_worker_requests').map((s) => [s.labels, s.value]));

describe('GATEWAY_WORKERS=2 (standalone): two relay workers, one port, one set of limits', () => {
  let mock: MockUpstream;
  let sys: System;
  let admin: ReturnType<typeof adminClient>;

  const token = async (body: Row = {}): Promise<{ id: number; key: string }> => {
    const r = await admin.post<Row>('/api/tokens', { name: `t-${Math.random().toString(36).slice(2, 8)}`, ...body });
    if (r.status !== 201) throw new Error(`token create ${r.status} ${JSON.stringify(r.body)}`);
    return { id: r.body.id, key: r.body.key };
  };
  const logsOf = async (tokenId: number): Promise<Row[]> => (await admin.get<{ data: Row[] }>(`/api/logs?tokenId=${tokenId}&limit=500`)).body.data;
  const metrics = async () => (await fresh(`${sys.url}/metrics`)).body;
  /** Runs `burst` and checks that both workers served part of it: only then does an exact count prove a shared store. */
  const onBothWorkers = async <T>(burst: () => Promise<T>): Promise<T> => {
    const before = perWorker(await metrics());
    const result = await burst();
    const after = perWorker(await metrics());
    for (const w of ['{worker="1"}', '{worker="2"}']) expect(after[w] - (before[w] ?? 0)).toBeGreaterThan(0);
    return result;
  };

  beforeAll(async () => {
    mock = await startMockUpstream();
    sys = await startStandalone({ GATEWAY_WORKERS: '2', SHUTDOWN_TIMEOUT_MS: '10000' }, undefined, READY_MS);
    admin = adminClient(sys.url, sys.adminKey);
    expect(
      (await admin.post('/api/channels', { name: 'mock', type: 'openai', baseUrl: mock.url, keys: ['k'], models: ['gpt-4o-mini', PRICED, 'cached-w'] })).status,
    ).toBe(201);
    expect((await admin.put(`/api/prices/${PRICED}`, { input: 0, output: 0, perRequest: 0.01 })).status).toBe(200);
    // Routes and prices reach both workers by event.
    const probe = await token();
    await eventually(
      async () => (await Promise.all(Array.from({ length: 6 }, () => chat(sys.url, probe.key)))).every((r) => r.status === 200),
      15_000,
      'the channel and price on both workers',
    );
  });

  afterAll(async () => {
    await sys?.stop();
    await mock?.close();
  });

  it('serves on both workers, and /metrics (whichever worker answers) is the sum over all of them', async () => {
    const before = await metrics();
    const t = await token();
    const replies = await Promise.all(Array.from({ length: 40 }, () => chat(sys.url, t.key, 'gpt-4o-mini')));
    expect(replies.map((r) => r.status)).toEqual(Array(40).fill(200));
    // Each scrape lands on either worker; every one carries the whole gateway's count.
    for (let i = 0; i < 4; i++) {
      const after = await metrics();
      expect(total(after, 'switchboard_requests_total') - total(before, 'switchboard_requests_total')).toBe(40);
      const perWorker = series(after, 'switchboard_worker_requests');
      expect(perWorker.map((s) => s.labels).sort()).toEqual(['{worker="1"}', '{worker="2"}']);
      for (const s of perWorker) expect(s.value).toBeGreaterThan(5);
      expect(perWorker.reduce((n, s) => n + s.value, 0)).toBe(total(after, 'switchboard_requests_total'));
    }
    // Every worker sees the same bans: the count is not multiplied by the number of workers.
    expect(series(await metrics(), 'switchboard_bans_active')).toEqual([{ labels: '', value: 0 }]);
  });

  it('a token quota that covers 10 of 120 concurrent requests: exactly 10 served over both workers, each logged once', async () => {
    const t = await token({ quota: 0.1 });
    const replies = await onBothWorkers(() => Promise.all(Array.from({ length: 120 }, () => chat(sys.url, t.key))));
    expect(replies.filter((r) => r.status === 200)).toHaveLength(10);
    for (const r of replies.filter((x) => x.status !== 200)) expect(JSON.parse(r.body).error.code).toBe('insufficient_quota');
    const final = await eventually(
      async () => {
        const r = await admin.get<Row>(`/api/tokens/${t.id}`);
        return r.body.usedQuota === 0.1 ? r.body : null;
      },
      15_000,
      'usedQuota 0.1',
    );
    expect(final.status).toBe('exhausted');
    // One record per request that reached the relay, served or refused there: none lost, none twice.
    const ids = replies.map((r) => r.headers['x-request-id']);
    const logs = await eventually(
      async () => {
        const l = await logsOf(t.id);
        return l.filter((x) => x.status === 200).length >= 10 ? l : null;
      },
      15_000,
      'the served records',
    );
    expect(new Set(logs.map((l) => l.requestId)).size).toBe(logs.length);
    const served = logs.filter((l) => l.status === 200);
    expect(served).toHaveLength(10);
    expect(served.every((l) => ids.includes(l.requestId))).toBe(true);
    expect(Math.round(served.reduce((s, l) => s + l.cost, 0) * 1e6)).toBe(100_000);
  });

  it('RPM and concurrency hold across both workers: exactly the allowed number get through', async () => {
    const rpm = await token({ rpm: 7 });
    const r1 = await onBothWorkers(() => Promise.all(Array.from({ length: 60 }, () => chat(sys.url, rpm.key, 'gpt-4o-mini'))));
    expect(r1.filter((r) => r.status === 200)).toHaveLength(7);
    expect(r1.filter((r) => r.status === 429)).toHaveLength(53);

    // Each request holds its slot for 1.5 s of upstream time (a slow stream), so all 40 overlap.
    const conc = await token({ maxConcurrency: 3 });
    const r2 = await Promise.all(
      Array.from({ length: 40 }, () =>
        fresh(`${sys.url}/v1/chat/completions`, {
          headers: { authorization: `Bearer ${conc.key}` },
          body: { model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'slow [chunks:6] [delay:250]' }] },
        }),
      ),
    );
    expect(r2.filter((r) => r.status === 200)).toHaveLength(3);
    for (const r of r2.filter((x) => x.status !== 200)) expect(JSON.parse(r.body).error.message).toMatch(/concurrent requests/);
    // The slots are free again, whichever worker held them.
    const again = await Promise.all(Array.from({ length: 3 }, () => chat(sys.url, conc.key, 'gpt-4o-mini')));
    expect(again.map((r) => r.status)).toEqual([200, 200, 200]);
  });

  it('a key disabled through the admin API is refused by every worker within a second; a console session works on all', async () => {
    const t = await token();
    expect((await Promise.all(Array.from({ length: 10 }, () => chat(sys.url, t.key, 'gpt-4o-mini')))).map((r) => r.status)).toEqual(Array(10).fill(200));
    const t0 = Date.now();
    expect((await admin.patch(`/api/tokens/${t.id}`, { status: 'disabled' })).status).toBe(200);
    await eventually(
      async () => (await Promise.all(Array.from({ length: 10 }, () => chat(sys.url, t.key, 'gpt-4o-mini')))).every((r) => r.status === 401),
      1_000,
      'the disabled key refused everywhere',
    );
    expect(Date.now() - t0).toBeLessThan(1_000);
    // And stays refused on every worker (no worker kept a stale cached token).
    expect((await Promise.all(Array.from({ length: 20 }, () => chat(sys.url, t.key, 'gpt-4o-mini')))).every((r) => r.status === 401)).toBe(true);

    const signIn = await fresh(`${sys.url}/api/session`, { body: { adminKey: sys.adminKey } });
    expect(signIn.status).toBeLessThan(300);
    const cookie = String(signIn.headers['set-cookie']).split(';')[0];
    const checks = await Promise.all(Array.from({ length: 8 }, () => fresh(`${sys.url}/api/session`, { headers: { cookie } })));
    expect(checks.map((r) => r.status)).toEqual(Array(8).fill(200));
    expect(
      (await fresh(`${sys.url}/api/session`, { method: 'DELETE', headers: { cookie, 'x-csrf-token': JSON.parse(signIn.body).csrfToken } })).status,
    ).toBeLessThan(300);
    const after = await Promise.all(Array.from({ length: 8 }, () => fresh(`${sys.url}/api/session`, { headers: { cookie } })));
    expect(after.map((r) => r.status)).toEqual(Array(8).fill(401));
  });

  it('the cache plugin: an answer stored through one worker is a hit on every worker (the primary keeps the answers)', async () => {
    const t = await token();
    expect((await admin.put('/api/plugins/cache', { enabled: true, models: ['cached-w'] })).status).toBe(200);
    const noStore = () =>
      fresh(`${sys.url}/v1/chat/completions`, {
        headers: { authorization: `Bearer ${t.key}`, 'x-switchboard-cache': 'no-store' },
        body: { model: 'cached-w', messages: [{ role: 'user', content: 'probe' }] },
      });
    await eventually(
      async () => (await Promise.all(Array.from({ length: 6 }, noStore))).every((r) => r.headers['x-switchboard-cache'] === 'bypass'),
      15_000,
      'the cache plugin on both workers',
    );
    mock.reset();
    const first = await chat(sys.url, t.key, 'cached-w', 'shared by the workers');
    expect(first.headers['x-switchboard-cache']).toBe('miss');
    const hits = await onBothWorkers(() => Promise.all(Array.from({ length: 12 }, () => chat(sys.url, t.key, 'cached-w', 'shared by the workers'))));
    expect(hits.map((r) => r.headers['x-switchboard-cache'])).toEqual(Array(12).fill('hit'));
    expect(hits.every((r) => r.body === first.body)).toBe(true);
    expect(mock.requests).toHaveLength(1);
    expect((await admin.put('/api/plugins/cache', { enabled: false })).status).toBe(200);
  });

  it('SIGTERM drains the streams of both workers, stores their usage records, and exits 0', async () => {
    const t = await token();
    const streams = await Promise.all(
      Array.from(
        { length: 6 },
        () =>
          new Promise<{ requestId: string; done: Promise<string> }>((resolve, reject) => {
            const req = http.request(
              `${sys.url}/v1/chat/completions`,
              { method: 'POST', agent: false, headers: { 'content-type': 'application/json', authorization: `Bearer ${t.key}` } },
              (res) => {
                let body = '';
                res.setEncoding('utf8');
                const done = new Promise<string>((r) => res.on('end', () => r(body)));
                res.on('data', (d: string) => (body += d));
                resolve({ requestId: String(res.headers['x-request-id']), done });
              },
            );
            req.on('error', reject);
            req.end(JSON.stringify({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'slowly [chunks:12] [delay:150]' }] }));
          }),
      ),
    );
    const proc = sys.procs[0].child;
    const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
    proc.kill('SIGTERM');
    const bodies = await Promise.all(streams.map((s) => s.done));
    for (const b of bodies) {
      expect(b).toContain('"finish_reason":"stop"');
      expect(b.trimEnd().endsWith('data: [DONE]')).toBe(true);
    }
    expect(await exited).toBe(0);

    // Back up on the same data (one process): every drained stream is in the log, once.
    sys = await startStandalone({}, sys.dataDir, READY_MS);
    admin = adminClient(sys.url, sys.adminKey);
    const logs = await eventually(
      async () => {
        const l = await logsOf(t.id);
        return l.length >= 6 ? l : null;
      },
      10_000,
      'the drained streams in the log',
    );
    expect(logs.map((l) => l.requestId).sort()).toEqual(streams.map((s) => s.requestId).sort());
    expect(logs.every((l) => l.status === 200 && l.stream === true)).toBe(true);
  });
});

describe('GATEWAY_WORKERS=2 (cluster): one gateway process, two relay workers, as two replicas on Redis and NATS', () => {
  let mock: MockUpstream;
  let sys: IsolatedCluster | null = null;

  beforeAll(async () => {
    mock = await startMockUpstream();
    // The other services ignore GATEWAY_WORKERS: only the gateway has relay workers.
    sys = await startIsolatedCluster({
      gateways: 1,
      env: { GATEWAY_WORKERS: '2', SHUTDOWN_TIMEOUT_MS: '10000' },
      fallbackRedisDb: 13,
      readyTimeoutMs: READY_MS,
    });
  });

  afterAll(async () => {
    await sys?.stop();
    await sys?.dropDatabase();
    await mock?.close();
  });

  it('holds a quota exactly over both workers, sums their metrics, and drains both on SIGTERM', async () => {
    if (!sys) return; // no Postgres/Redis/NATS and not CI: skipped (requireInfra said why)
    const base = sys.gateways[0];
    const admin = adminClient(base, sys.adminKey);
    expect((await admin.post('/api/channels', { name: 'mock', type: 'openai', baseUrl: mock.url, keys: ['k'], models: [PRICED] })).status).toBe(201);
    expect((await admin.put(`/api/prices/${PRICED}`, { input: 0, output: 0, perRequest: 0.01 })).status).toBe(200);
    const probe = String((await admin.post<Row>('/api/tokens', { name: 'probe' })).body.key);
    await eventually(
      async () => (await Promise.all(Array.from({ length: 6 }, () => chat(base, probe)))).every((r) => r.status === 200),
      15_000,
      'the channel and price on both workers',
    );
    const t = (await admin.post<Row>('/api/tokens', { name: 'metered', quota: 0.1 })).body;
    const replies = await Promise.all(Array.from({ length: 120 }, () => chat(base, String(t.key))));
    expect(replies.filter((r) => r.status === 200)).toHaveLength(10);
    await eventually(async () => (await admin.get<Row>(`/api/tokens/${t.id}`)).body.usedQuota === 0.1, 15_000, 'usedQuota 0.1');

    const text = (await fresh(`${base}/metrics`)).body;
    const perWorker = series(text, 'switchboard_worker_requests');
    expect(perWorker.map((x) => x.labels).sort()).toEqual(['{worker="1"}', '{worker="2"}']);
    for (const x of perWorker) expect(x.value).toBeGreaterThan(0);
    expect(perWorker.reduce((n, x) => n + x.value, 0)).toBe(total(text, 'switchboard_requests_total'));

    const gateway = sys.procs.find((p) => p.name === 'gateway')!.child;
    const exited = new Promise<number | null>((r) => gateway.once('exit', (code) => r(code)));
    gateway.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
