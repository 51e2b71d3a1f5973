// Redis goes away under load and comes back: a cluster on a redis-server of this test's own (killed and restarted on
// the same port; never the machine's shared Redis). While it is down every relay answers 503 in the inbound protocol's
// shape within a bound (no 500, no stack trace, no hang), /health/ready says not ready and the gateway logs the outage
// a few times, not once per request; once it is back, requests pass and readiness returns by themselves, and a stream
// that held a concurrency slot across the outage has given it back.
import { startMockUpstream, type MockUpstream } from '@switchboard/testing';
import { requireInfra } from '../support/infra';
import { adminClient, startCluster, type System } from '../support/harness';
import { redisServerBinary, startPrivateRedis, type PrivateRedis } from '../support/private-redis';

jest.setTimeout(180_000);

const SPACING_MS = 25;
/** No answer may take longer than this while Redis is down (its command timeout is 2 s). */
const ANSWER_BOUND_MS = 4_000;
/** Readiness and service are back within this after Redis is. */
const RECOVERY_BOUND_MS = 10_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Answer {
  at: number;
  status: number;
  ms: number;
  body: string;
}

async function until<T>(what: string, fn: () => Promise<T | false>, timeoutMs: number): Promise<{ value: T; ms: number }> {
  const t0 = Date.now();
  for (;;) {
    const v = await fn().catch(() => false as const);
    if (v !== false) return { value: v, ms: Date.now() - t0 };
    if (Date.now() - t0 > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(100);
  }
}

describe('Redis outage under load (cluster on a private redis-server)', () => {
  let run = true;
  let redis: PrivateRedis;
  let mock: MockUpstream;
  let sys: System & { dropDatabase(): Promise<void> };
  let key: string;
  let leaseKey: string;

  beforeAll(async () => {
    run = !!redisServerBinary() && (await requireInfra('postgres', 'nats'));
    if (!run) return;
    // Kept on disk: after the restart, what the outage left in Redis (a stream's concurrency slot) is still there.
    redis = await startPrivateRedis({ persist: true });
    mock = await startMockUpstream();
    sys = await startCluster({ env: { REDIS_URL: redis.url, UNPRICED_MODEL_POLICY: 'free' } });
    const admin = adminClient(sys.url, sys.adminKey);
    expect((await admin.post('/api/channels', { name: 'mock', type: 'openai', baseUrl: mock.url, keys: ['sk-up'], models: ['outage-model'] })).status).toBe(
      201,
    );
    key = String((await admin.post('/api/tokens', { name: 'load' })).body.key);
    leaseKey = String((await admin.post('/api/tokens', { name: 'one-at-a-time', maxConcurrency: 1 })).body.key);
  });

  afterAll(async () => {
    await sys?.stop();
    await sys?.dropDatabase();
    await mock?.close();
    await redis?.stop();
  });

  const post = async (path: string, body: unknown, headers: Record<string, string>, apiKey = key): Promise<Answer> => {
    const at = Date.now();
    const r = await fetch(`${sys.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await r.text();
    return { at, status: r.status, ms: Date.now() - at, body: text };
  };
  const chat = (apiKey = key, content = 'hello', stream = false) =>
    post('/v1/chat/completions', { model: 'outage-model', stream, messages: [{ role: 'user', content }] }, {}, apiKey);
  const messages = () =>
    post('/v1/messages', { model: 'outage-model', max_tokens: 16, messages: [{ role: 'user', content: 'hello' }] }, { 'anthropic-version': '2023-06-01' });
  const ready = async () => {
    const r = await fetch(`${sys.url}/health/ready`, { signal: AbortSignal.timeout(10_000) });
    return { status: r.status, body: (await r.json()) as { status: string; checks: Record<string, string> } };
  };

  it('503 in the inbound shape while Redis is down, not ready, then back by itself', async () => {
    if (!run) return;
    expect(await ready()).toMatchObject({ status: 200, body: { checks: { redis: 'ok' } } });
    expect((await chat()).status).toBe(200);

    // Open loop: requests keep arriving at a steady pace whatever the answers take.
    const answers: Promise<Answer>[] = [];
    let loading = true;
    const loader = (async () => {
      for (let i = 0; loading; i++) {
        answers.push(i % 5 === 4 ? messages() : chat());
        await sleep(SPACING_MS);
      }
    })();

    // A stream of the one-at-a-time token holds its concurrency slot across the outage.
    const stream = chat(leaseKey, '[chunks:12] [delay:250] a slow story', true);
    await sleep(1_000);
    const killedAt = Date.now();
    await redis.kill();

    const notReady = await until(
      'readiness says not ready',
      async () => {
        const r = await ready();
        return r.status === 503 ? r.body : false;
      },
      5_000,
    );
    expect(notReady.value.checks.redis).not.toBe('ok');
    await sleep(3_000);
    const outageAnswers = (await Promise.all(answers)).filter((a) => a.at >= killedAt + 500);
    const streamed = await stream;
    expect(streamed.status).toBe(200);
    expect(streamed.body).toContain('data: [DONE]');

    await redis.restart();
    const back = await until('readiness back', async () => (await ready()).status === 200, RECOVERY_BOUND_MS);
    const served = await until('a request served again', async () => (await chat()).status === 200, RECOVERY_BOUND_MS);
    const servedAt = Date.now();
    // The load goes on a little after the recovery: all of it must be served.
    await sleep(1_500);
    loading = false;
    await loader;
    const all = await Promise.all(answers);

    // While Redis was down: every answer a 503 in its protocol's shape, none slow, none a 500, no stack trace.
    expect(outageAnswers.length).toBeGreaterThan(50);
    const statuses = new Set(outageAnswers.map((a) => a.status));
    expect([...statuses]).toEqual([503]);
    expect(Math.max(...all.map((a) => a.ms))).toBeLessThan(ANSWER_BOUND_MS);
    expect(all.filter((a) => a.status >= 500 && a.status !== 503)).toEqual([]);
    for (const a of outageAnswers) {
      expect(a.body).not.toMatch(/\n\s+at |Error:|node_modules/);
      const body = JSON.parse(a.body) as Record<string, unknown>;
      if ('type' in body) expect(body).toMatchObject({ type: 'error', error: { type: expect.any(String), message: expect.stringContaining('retry') } });
      else expect(body).toMatchObject({ error: { message: expect.stringContaining('retry'), type: expect.any(String) } });
    }
    expect(outageAnswers.some((a) => a.body.startsWith('{"type":"error"'))).toBe(true);

    // Back by itself, within the bound; the answers after recovery are 200s again.
    expect(back.ms).toBeLessThan(RECOVERY_BOUND_MS);
    expect(served.ms).toBeLessThan(RECOVERY_BOUND_MS);
    const afterRecovery = all.filter((a) => a.at > servedAt + 500);
    expect(afterRecovery.length).toBeGreaterThan(0);
    expect(afterRecovery.filter((a) => a.status !== 200).map((a) => `${a.status} ${a.body.slice(0, 200)}`)).toEqual([]);

    // The stream's slot, still held in Redis when it came back, was given back: the token may run one again.
    const next = await until(
      'the one-at-a-time token admitted again',
      async () => {
        const a = await chat(leaseKey);
        return a.status === 200 ? a : false;
      },
      5_000,
    );
    expect(next.ms).toBeLessThan(5_000);

    // The outage was logged, once per interval rather than once per request.
    const gatewayLog = sys.procs
      .filter((p) => p.name === 'gateway')
      .flatMap((p) => p.output)
      .join('');
    const lines = gatewayLog.split('\n').filter((l) => l.includes('admission refused with 503'));
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.length).toBeLessThanOrEqual(3);
    // Nothing else floods either (settle and health-store failures, stacks): a handful of warnings and errors in all
    // (pino levels 40 and up), for hundreds of failed requests.
    expect(gatewayLog.split('\n').filter((l) => /"level":(4|5|6)0\b/.test(l)).length).toBeLessThanOrEqual(12);
  });
});
