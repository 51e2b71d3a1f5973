import OpenAI from 'openai';
import { startMockUpstream, type MockUpstream } from '@switchboard/testing';
import { requireInfra } from '../../support/infra';
import { adminClient, eventually, startCluster, startStandalone, type System } from '../../support/harness';

jest.setTimeout(120_000);

/** Small ban settings so the behaviour shows within a test's time. */
const ENV = {
  RETRY_BUDGET: '1',
  BAN_MIN_REQUESTS: '4',
  BAN_PROBE_INTERVAL_MS: '400',
  BAN_DURATION_MS: '60000',
  CHANNEL_CHECK_INTERVAL_MS: '0',
};

type Topology = 'standalone' | 'cluster';

describe.each<Topology>(['standalone', 'cluster'])('routing, failover and bans (%s)', (topology) => {
  let mock: MockUpstream;
  let sys: System & { dropDatabase?: () => Promise<void> };
  let admin: ReturnType<typeof adminClient>;
  let clients: OpenAI[];
  let run = true;
  let seq = 0;

  const chat = (model: string, client = clients[0]) =>
    client.chat.completions.create({ model, messages: [{ role: 'user', content: `hello ${seq++}` }] }).withResponse();
  const hits = (key: string) => mock.requests.filter((r) => r.key === key).length;
  const channel = async (body: Record<string, unknown>) => {
    const r = await admin.post('/api/channels', { type: 'openai', baseUrl: mock.url, ...body });
    expect(r.status).toBe(201);
    return r.body.id as number;
  };
  const logOf = async (requestId: string) =>
    eventually(
      async () => {
        const r = await admin.get(`/api/logs/${requestId}`);
        return r.status === 200 ? r.body : null;
      },
      5_000,
      `log ${requestId}`,
    );
  /** Channel changes reach every gateway through an event; wait until each one routes the new model. */
  const routable = async (model: string) => {
    for (const c of clients) {
      await eventually(
        async () => {
          try {
            await c.chat.completions.create({ model, messages: [{ role: 'user', content: 'warm-up' }] });
            return true;
          } catch (e) {
            return (e as { status?: number }).status !== 404;
          }
        },
        3_000,
        `${model} routable`,
      );
    }
  };

  beforeAll(async () => {
    if (topology === 'cluster') run = await requireInfra('postgres', 'redis', 'nats');
    if (!run) return;
    mock = await startMockUpstream();
    sys = topology === 'standalone' ? await startStandalone(ENV) : await startCluster({ gateways: 2, env: ENV });
    admin = adminClient(sys.url, sys.adminKey);
    const tok = await admin.post('/api/tokens', { name: 'routing' });
    clients = sys.gateways.map((g) => new OpenAI({ apiKey: String(tok.body.key), baseURL: `${g}/v1`, maxRetries: 0, timeout: 20_000 }));
  });

  afterAll(async () => {
    await sys?.stop();
    await sys?.dropDatabase?.();
    await mock?.close();
  });

  beforeEach(() => mock?.reset());

  const maybe = (name: string, fn: () => Promise<void>) => it(name, async () => (run ? fn() : undefined));

  maybe('fails over on 500, connection refused, reset and timeout, with no client-visible error', async () => {
    await channel({ name: 'fo-backup', keys: ['fo-b'], models: ['fo-*'], priority: 0 });
    await channel({ name: 'fo-500', keys: ['fo-500'], models: ['fo-500'], priority: 10 });
    await channel({ name: 'fo-refused', baseUrl: 'http://127.0.0.1:9', keys: ['fo-refused'], models: ['fo-refused'], priority: 10 });
    await channel({ name: 'fo-reset', keys: ['fo-reset'], models: ['fo-reset'], priority: 10 });
    await channel({ name: 'fo-slow', keys: ['fo-slow'], models: ['fo-slow'], priority: 10, timeouts: { firstByteMs: 300 } });
    mock.setFault({ match: { key: 'fo-500' }, status: 500 });
    mock.setFault({ match: { key: 'fo-reset' }, resetConnection: true });
    mock.setFault({ match: { key: 'fo-slow' }, hang: true });
    await routable('fo-slow');
    for (const model of ['fo-500', 'fo-refused', 'fo-reset', 'fo-slow']) {
      const started = Date.now();
      const { data, response } = await chat(model);
      expect(data.choices[0].message.content).toContain('Echo');
      const log = await logOf(response.headers.get('x-request-id')!);
      expect(log).toMatchObject({ status: 200, attempts: 2 });
      if (model === 'fo-slow') expect(Date.now() - started).toBeLessThan(5_000);
    }
  });

  maybe('a 400 is answered as is after exactly one upstream attempt', async () => {
    await channel({ name: 'bad-a', keys: ['bad-a'], models: ['bad-m'], priority: 10 });
    await channel({ name: 'bad-b', keys: ['bad-b'], models: ['bad-m'], priority: 0 });
    await routable('bad-m');
    mock.reset();
    mock.setFault({ match: { key: 'bad-a' }, status: 400 });
    await expect(chat('bad-m')).rejects.toMatchObject({ status: 400 });
    expect(hits('bad-a')).toBe(1);
    expect(hits('bad-b')).toBe(0);
  });

  maybe('a 401 moves to the next channel without spending retry budget (budget 1: 401 → 500 → ok)', async () => {
    await channel({ name: 'auth-a', keys: ['auth-a'], models: ['auth-m'], priority: 30 });
    await channel({ name: 'auth-b', keys: ['auth-b'], models: ['auth-m'], priority: 20 });
    // auth-c alone also serves a probe model: once that is routable, the gateway's table holds all three channels
    // (each creation triggers a refresh; a table that holds auth-a only already makes auth-m routable)
    await channel({ name: 'auth-c', keys: ['auth-c'], models: ['auth-m', 'auth-c-probe'], priority: 10 });
    mock.setFault({ match: { key: 'auth-a' }, status: 401 });
    mock.setFault({ match: { key: 'auth-b' }, status: 500 });
    await routable('auth-c-probe');
    mock.reset();
    mock.setFault({ match: { key: 'auth-a' }, status: 401 });
    mock.setFault({ match: { key: 'auth-b' }, status: 500 });
    const { response } = await chat('auth-m');
    const log = await logOf(response.headers.get('x-request-id')!);
    expect(log.status).toBe(200);
    expect(hits('auth-c')).toBe(1);
  });

  maybe('never retries once bytes reached the client', async () => {
    await channel({ name: 'mid-a', keys: ['mid-a'], models: ['mid-m'], priority: 10 });
    await channel({ name: 'mid-b', keys: ['mid-b'], models: ['mid-m'], priority: 0 });
    await routable('mid-m');
    mock.reset();
    mock.setFault({ match: { key: 'mid-a' }, dropAfterChunks: 2 });
    const stream = await clients[0].chat.completions.create({
      model: 'mid-m',
      messages: [{ role: 'user', content: 'a long story [chunks:8]' }],
      stream: true,
    });
    await expect(
      (async () => {
        for await (const _chunk of stream) {
          /* read until the stream fails */
        }
      })(),
    ).rejects.toThrow();
    expect(hits('mid-a')).toBe(1);
    expect(hits('mid-b')).toBe(0);
  });

  maybe('an idle gap inside a stream ends it with an in-stream error, within the idle timeout', async () => {
    await channel({ name: 'idle', keys: ['idle'], models: ['idle-m'], timeouts: { idleMs: 400 } });
    await routable('idle-m');
    mock.setFault({ match: { key: 'idle' }, chunkDelayMs: 5_000 });
    const started = Date.now();
    const stream = await clients[0].chat.completions.create({ model: 'idle-m', stream: true, messages: [{ role: 'user', content: 'pause [chunks:4]' }] });
    const err = await (async () => {
      try {
        for await (const _ of stream) void _;
        return null;
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err?.message).toMatch(/ended early|timeout/i);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  maybe('bans a failing channel on every replica within a second and lifts it after the channel recovers', async () => {
    const id = await channel({ name: 'ban-a', keys: ['ban-a'], models: ['ban-m'], priority: 10 });
    await channel({ name: 'ban-b', keys: ['ban-b'], models: ['ban-m'], priority: 0 });
    await routable('ban-m');
    mock.setFault({ match: { key: 'ban-a' }, status: 500 });
    // `routable` may have seen ban-a alone: an admin change reaches a routing table within a second, not at once (the
    // embedded database answers over a socket). Every replica serves through the backup before failures are counted.
    for (const c of clients)
      await eventually(
        async () =>
          chat('ban-m', c).then(
            () => true,
            () => null,
          ),
        3_000,
        'ban-m served by the backup',
      );
    // Every request still succeeds through the backup. Traffic goes on until the ban shows: on a loaded machine a
    // replica's table may gain ban-a only after the first few requests, which then never reached it.
    for (let i = 0; i < 6; i++) await chat('ban-m', clients[0]);
    const ch = await eventually(
      async () => {
        const r = await admin.get(`/api/channels/${id}`);
        if ((r.body.bans as unknown[]).length) return r.body;
        await chat('ban-m', clients[0]);
        return null;
      },
      5_000,
      'the ban in GET /api/channels/:id',
    );
    expect(ch.bans).toEqual([expect.objectContaining({ model: 'ban-m', reason: 'error_rate' })]);
    expect(ch.status).toBe('banned');
    expect(ch.errorRate as number).toBeGreaterThan(0.4);
    // Every replica honours it within a second: no more traffic reaches the banned channel.
    await new Promise((r) => setTimeout(r, 1_000));
    const before = hits('ban-a');
    for (const c of clients) for (let i = 0; i < 5; i++) await chat('ban-m', c);
    expect(hits('ban-a')).toBe(before + countProbes(mock, 'ban-a', before));
    // Recovery: the probe succeeds, the ban is lifted, traffic comes back.
    mock.clearFaults();
    await eventually(
      async () => {
        const r = await admin.get(`/api/channels/${id}`);
        return (r.body.bans as unknown[]).length === 0;
      },
      5_000,
      'the ban lifted by a probe',
    );
    const served = await eventually(
      async () => {
        await chat('ban-m', clients[clients.length - 1]);
        return mock.requests.some((r) => r.key === 'ban-a' && !isProbe(r.body)) ? true : null;
      },
      5_000,
      'traffic back on the recovered channel',
    );
    expect(served).toBe(true);
  });

  maybe('splits traffic 3:1 by weight within a priority tier', async () => {
    await channel({ name: 'w3', keys: ['w3'], models: ['w-m'], weight: 3 });
    // w1-probe: routable once the routing table holds the second channel too (w-m alone may be served by w3 first)
    await channel({ name: 'w1', keys: ['w1'], models: ['w-m', 'w1-probe'], weight: 1 });
    await routable('w1-probe');
    mock.reset();
    // 480 draws: at 240 a 3:1 split fell outside 2.0–4.5 once in CI (w1 at 3 standard deviations, its weight also
    // scaled by latency under load); the bounds stay, the sample doubles
    const n = 480;
    for (let i = 0; i < n; i += 8) await Promise.all(Array.from({ length: 8 }, () => chat('w-m')));
    const ratio = hits('w3') / hits('w1');
    expect(hits('w3') + hits('w1')).toBe(n);
    expect(ratio).toBeGreaterThan(2.0);
    expect(ratio).toBeLessThan(4.5);
  });

  maybe('aliases split over weighted targets and fall back in order; model mapping reaches the upstream', async () => {
    await channel({ name: 'al-a', keys: ['al-a'], models: ['al-target-a'] });
    await channel({ name: 'al-b', keys: ['al-b'], models: ['al-target-b'], modelMapping: { 'al-target-b': 'vendor-model-b' } });
    await channel({ name: 'al-dead', keys: ['al-dead'], models: ['al-dead'] });
    expect(
      (
        await admin.post('/api/aliases', {
          name: 'al-split',
          targets: [
            { model: 'al-target-a', weight: 1 },
            { model: 'al-target-b', weight: 1 },
          ],
        })
      ).status,
    ).toBe(201);
    expect((await admin.post('/api/aliases', { name: 'al-fb', targets: [{ model: 'al-dead', weight: 1 }], fallbacks: ['al-target-a'] })).status).toBe(201);
    mock.setFault({ match: { key: 'al-dead' }, status: 500 });
    await routable('al-split');
    mock.reset();
    mock.setFault({ match: { key: 'al-dead' }, status: 500 });
    for (let i = 0; i < 40; i++) await chat('al-split');
    expect(hits('al-a')).toBeGreaterThan(5);
    expect(hits('al-b')).toBeGreaterThan(5);
    expect(mock.requests.filter((r) => r.key === 'al-b').every((r) => r.model === 'vendor-model-b')).toBe(true);
    const { data, response } = await chat('al-fb');
    expect(data.choices[0].message.content).toContain('Echo');
    expect(await logOf(response.headers.get('x-request-id')!)).toMatchObject({ model: 'al-fb', upstreamModel: 'al-target-a', status: 200 });
  });

  maybe('a key the upstream refuses is skipped while the other keys of the channel serve', async () => {
    const id = await channel({ name: 'mk', keys: ['mk-0', 'mk-1', 'mk-2'], keyMode: 'round_robin', models: ['mk-m'] });
    mock.setFault({ match: { key: 'mk-1' }, status: 401 });
    await routable('mk-m');
    for (let i = 0; i < 12; i++) await chat('mk-m');
    const ch = await eventually(
      async () => {
        const r = await admin.get(`/api/channels/${id}`);
        return (r.body.bans as { key?: number }[]).some((b) => b.key === 1) ? r.body : null;
      },
      3_000,
      'the key ban',
    );
    expect(ch.status).toBe('enabled');
    mock.reset();
    mock.setFault({ match: { key: 'mk-1' }, status: 401 });
    await new Promise((r) => setTimeout(r, 1_000));
    mock.reset();
    mock.setFault({ match: { key: 'mk-1' }, status: 401 });
    for (let i = 0; i < 9; i++) await chat('mk-m');
    expect(mock.requests.filter((r) => r.key === 'mk-1' && !isProbe(r.body)).length).toBe(0);
    expect(hits('mk-0')).toBeGreaterThan(0);
    expect(hits('mk-2')).toBeGreaterThan(0);
  });
});

/** The router's probes say "ping" with one output token. */
function isProbe(body: unknown): boolean {
  const b = body as { messages?: { content?: unknown }[] } | undefined;
  return b?.messages?.[0]?.content === 'ping';
}

function countProbes(mock: MockUpstream, key: string, from: number): number {
  return mock.requests
    .filter((r) => r.key === key)
    .slice(from)
    .filter((r) => isProbe(r.body)).length;
}
