import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { SecretBox } from '@switchboard/common';
import type { AppConfig } from '@switchboard/config';
import { MemoryHealthStore, type Ban } from '@switchboard/health';
import type { Bus } from '@switchboard/messaging';
import type { Channels } from '../channels/channel.repository';
import { ChannelProber } from './channel-prober';
import { ProbeWorker } from './probe.worker';

const SECRET = 'cd'.repeat(32);
const PROBE_INTERVAL_MS = 300;

interface Upstream {
  url: string;
  hits: number;
  close(): Promise<void>;
}

/** A fake upstream: answers each probe with a one-token chat completion, or never answers at all. */
async function upstream(kind: 'healthy' | 'hanging'): Promise<Upstream> {
  const sockets = new Set<Socket>();
  const u: Upstream = { url: '', hits: 0, close: async () => undefined };
  const server = http.createServer((req, res) => {
    u.hits++;
    req.resume();
    if (kind === 'hanging') return;
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id: 'c',
          object: 'chat.completion',
          model: 'm',
          choices: [{ index: 0, message: { role: 'assistant', content: 'pong' }, finish_reason: 'length' }],
        }),
      );
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  u.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  u.close = () =>
    new Promise<void>((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    });
  return u;
}

async function eventually(what: string, fn: () => boolean | Promise<boolean>, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (await fn()) return Date.now() - started;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${what}: not within ${timeoutMs} ms`);
}

describe('ProbeWorker: each ban is probed on its own', () => {
  const box = new SecretBox(SECRET);
  let hanging: Upstream;
  let healthy: Upstream;
  let worker: ProbeWorker;
  let store: MemoryHealthStore;

  beforeEach(async () => {
    [hanging, healthy] = await Promise.all([upstream('hanging'), upstream('healthy')]);
    const channel = (id: number, baseUrl: string, timeouts: object | null) => ({
      id,
      name: `c${id}`,
      type: 'openai',
      baseUrl,
      autoBan: true,
      models: ['m', 'm2'],
      modelMapping: {},
      headersCiphertext: null,
      paramOverrideCiphertext: null,
      legacyHeaders: null,
      legacyParamOverride: null,
      timeouts,
      testModel: null,
      keys: [{ position: 0, status: 'enabled', keyCiphertext: box.encrypt('sk-up') }],
    });
    const channels: Record<number, unknown> = {
      // The hanging channel's own timeouts bound its probe (well above the probe interval, far below the defaults).
      1: channel(1, hanging.url, { connectMs: 500, firstByteMs: 3_000 }),
      2: channel(2, healthy.url, null),
    };
    const repo = { withKeys: async (id: number) => channels[id] ?? null } as unknown as Channels;
    const config = {
      SECRET_KEY: SECRET,
      BAN_PROBE_INTERVAL_MS: PROBE_INTERVAL_MS,
      BAN_DURATION_MS: 60_000,
      UPSTREAM_CONNECT_TIMEOUT_MS: 10_000,
      UPSTREAM_FIRST_BYTE_TIMEOUT_MS: 120_000,
      CHANNEL_CHECK_INTERVAL_MS: 0,
    } as AppConfig;
    store = new MemoryHealthStore();
    const bus = { emit: jest.fn() } as unknown as Bus;
    worker = new ProbeWorker(repo, new ChannelProber(config), bus, store, config);
  });

  afterEach(async () => {
    await worker.onModuleDestroy();
    await Promise.all([hanging.close(), healthy.close()]);
  });

  const ban = (channelId: number, model: string, nextProbeAt: number): Ban => ({
    channelId,
    model,
    reason: 'error_rate',
    until: Date.now() + 60_000,
    nextProbeAt,
  });
  const banned = async (channelId: number, model: string) => (await store.bans()).some((b) => b.channelId === channelId && b.model === model);

  it("lifts a healthy channel's ban on time while another channel's probe hangs, and ends the hanging probe by its own timeout", async () => {
    const now = Date.now();
    await store.setBan(ban(1, 'm', now));
    await store.setBan(ban(2, 'm', now));
    worker.onApplicationBootstrap();

    await eventually('the healthy ban lifted', async () => !(await banned(2, 'm')), 2_000);
    await eventually('the hanging channel probed', () => hanging.hits === 1, 2_000);

    // A new ban of the healthy channel, due one interval from now, while the other channel's probe still hangs.
    await store.setBan(ban(2, 'm2', Date.now() + PROBE_INTERVAL_MS));
    expect(await banned(1, 'm')).toBe(true);
    const took = await eventually('the second healthy ban lifted', async () => !(await banned(2, 'm2')), 3_000);
    // due after one interval, looked for every third of it, probed in a few ms
    expect(took).toBeLessThan(PROBE_INTERVAL_MS * 2 + 500);
    expect(hanging.hits).toBe(1);

    // The hanging probe ends by its channel's timeouts (3.5 s) and renews its ban, which is probed again later.
    await eventually('the hanging ban renewed', async () => (await store.bans()).some((b) => b.channelId === 1 && b.detail !== undefined), 6_000);
    await eventually('the hanging channel probed again', () => hanging.hits === 2, 3_000);
  });
});

describe('ProbeWorker and autoBan', () => {
  const now = Date.now();
  const setup = async (autoBan: boolean) => {
    const store = new MemoryHealthStore();
    const bans: Ban[] = [
      { channelId: 1, keyIndex: 0, reason: 'auth', until: now + 86_400_000, nextProbeAt: now - 1 },
      { channelId: 1, model: 'm', reason: 'error_rate', until: now + 60_000, nextProbeAt: now - 1 },
    ];
    for (const b of bans) await store.setBan(b);
    const emitted: unknown[] = [];
    const probe = jest.fn(async () => ({ ok: false, status: 500, responseTimeMs: 1, error: 'still down' }));
    const repo = { withKeys: async () => ({ id: 1, autoBan, keys: [], models: ['m'], testModel: 'm' }) } as unknown as Channels;
    const worker = new ProbeWorker(
      repo,
      { probe } as unknown as ChannelProber,
      { emit: (_s: string, p: unknown) => emitted.push(p) } as unknown as Bus,
      store,
      { BAN_PROBE_INTERVAL_MS: 1000, BAN_DURATION_MS: 60_000, CHANNEL_CHECK_INTERVAL_MS: 0 } as AppConfig,
    );
    await worker.probeDueBans(now);
    return { store, probe, emitted };
  };

  it('lifts the bans of a channel whose autoBan was switched off, without probing it', async () => {
    const { store, probe, emitted } = await setup(false);
    expect(await store.bans(now)).toEqual([]);
    expect(probe).not.toHaveBeenCalled();
    expect(emitted).toEqual(
      expect.arrayContaining([
        { set: [], lifted: [{ channelId: 1, keyIndex: 0 }] },
        { set: [], lifted: [{ channelId: 1, model: 'm' }] },
      ]),
    );
  });

  it('probes and renews them while autoBan is on', async () => {
    const { store, probe } = await setup(true);
    expect(probe).toHaveBeenCalledTimes(2);
    expect(await store.bans(now)).toHaveLength(2);
  });
});

describe('ProbeWorker.checkAll', () => {
  it("records each enabled channel's response time, null when the probe failed, and skips channels with no model to probe", async () => {
    const enabled = [
      { id: 1, models: ['m'], testModel: null, keys: [] },
      { id: 2, models: ['gpt-*'], testModel: null, keys: [] }, // only a pattern: nothing to ask for
      { id: 3, models: [], testModel: 't', keys: [] },
    ];
    const recorded: [number, number | null][] = [];
    const repo = {
      enabledWithKeys: async () => enabled,
      recordCheck: async (id: number, responseTimeMs: number | null, checkedAt: Date) => {
        expect(Date.now() - checkedAt.getTime()).toBeLessThan(5_000);
        recorded.push([id, responseTimeMs]);
      },
    } as unknown as Channels;
    const probe = jest.fn(async (c: { id: number }, model: string) => ({
      ok: c.id === 1,
      status: c.id === 1 ? 200 : 500,
      responseTimeMs: 42,
      error: null,
      model,
    }));
    const worker = new ProbeWorker(repo, { probe } as unknown as ChannelProber, { emit: jest.fn() } as unknown as Bus, new MemoryHealthStore(), {
      CHANNEL_CHECK_INTERVAL_MS: 0,
    } as AppConfig);
    await worker.checkAll();
    expect(probe.mock.calls.map(([c, model]) => [c.id, model])).toEqual([
      [1, 'm'],
      [3, 't'],
    ]);
    expect(recorded).toEqual([
      [1, 42],
      [3, null],
    ]);
  });
});
