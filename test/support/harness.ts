import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { connect } from 'nats';
import pg from 'pg';
import { INFRA } from './infra';

const ROOT = path.resolve(__dirname, '../..');
const dist = (app: string) => path.join(ROOT, 'dist/apps', app, 'src/main.js');

export interface Proc {
  name: string;
  child: ChildProcess;
  output: string[];
}

export interface System {
  url: string;
  adminKey: string;
  procs: Proc[];
  /** gateway URLs (one in standalone, one per replica in cluster) */
  gateways: string[];
  dataDir: string;
  env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
  /** spawns one more process of the system (e.g. a restarted service) */
  spawnService(name: string, port: number): Promise<Proc>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

function spawnProc(name: string, args: string[], env: NodeJS.ProcessEnv): Proc {
  const child = spawn(process.execPath, args, { env, cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const keep = (d: Buffer) => {
    output.push(d.toString());
    if (output.length > 400) output.shift();
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  return { name, child, output };
}

async function waitReady(url: string, proc: Proc, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.child.exitCode !== null) throw new Error(`${proc.name} exited (${proc.child.exitCode}):\n${proc.output.join('')}`);
    try {
      const r = await fetch(`${url}/health/ready`);
      if (r.ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`${proc.name} not ready after ${timeoutMs} ms:\n${proc.output.join('')}`);
}

async function stopProcs(procs: Proc[]): Promise<void> {
  await Promise.all(
    procs.map(
      (p) =>
        new Promise<void>((resolve) => {
          if (p.child.exitCode !== null || p.child.signalCode) return resolve();
          const t = setTimeout(() => p.child.kill('SIGKILL'), 15_000);
          p.child.once('exit', () => {
            clearTimeout(t);
            resolve();
          });
          p.child.kill('SIGTERM');
        }),
    ),
  );
}

/** The node arguments of `npm start` (package.json), so the suites run standalone exactly as users start it. */
function npmStartArgs(): string[] {
  const command = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
  const [bin, ...args] = command.trim().split(/\s+/);
  if (bin !== 'node') throw new Error(`package.json's start script is expected to be "node …", got: ${command}`);
  return args;
}

const baseEnv = (extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: process.env.SB_TEST_LOG_LEVEL ?? 'warn', HOST: '127.0.0.1', ...extra };
  for (const k of ['NATS_URL', 'REDIS_URL', 'DATABASE_URL', 'PORT', 'ADMIN_KEY', 'SECRET_KEY']) if (!(k in extra)) delete env[k];
  return env;
};

/** `npm start` in a child process: one port, PGlite in a fresh DATA_DIR, in-process transport, in-memory counters. */
export async function startStandalone(
  extra: NodeJS.ProcessEnv = {},
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-e2e-')),
  /** more for a start that forks relay workers (GATEWAY_WORKERS) on a loaded machine */
  readyTimeoutMs = 60_000,
): Promise<System> {
  // a test that must know the URL before the start (e.g. an OIDC redirect URL) passes its own PORT
  const port = extra.PORT ? Number(extra.PORT) : await freePort();
  const adminKey = 'sb-test-admin-key-0123456789';
  const env = baseEnv({ DATA_DIR: dataDir, PORT: String(port), ADMIN_KEY: adminKey, ...extra });
  const proc = spawnProc('standalone', npmStartArgs(), env);
  const url = `http://127.0.0.1:${port}`;
  await waitReady(url, proc, readyTimeoutMs);
  const procs = [proc];
  return {
    url,
    adminKey,
    procs,
    gateways: [url],
    dataDir,
    env,
    stop: () => stopProcs(procs),
    spawnService: async () => {
      throw new Error('standalone has no separate services');
    },
  };
}

/** A throwaway Postgres database, dropped by the returned function. */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `sb_e2e_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: `${INFRA.postgres.url}/postgres` });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  return {
    url: `${INFRA.postgres.url}/${name}`,
    drop: async () => {
      const c = new pg.Client({ connectionString: `${INFRA.postgres.url}/postgres` });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).catch(() => undefined);
      await c.end();
    },
  };
}

/** Starts from an empty usage stream so records of earlier runs (other databases) never reach this cluster. */
export async function purgeUsageStream(): Promise<void> {
  const nc = await connect({ servers: INFRA.nats.url });
  try {
    const jsm = await nc.jetstreamManager();
    await jsm.streams.delete('SWITCHBOARD_USAGE').catch(() => undefined);
  } finally {
    await nc.close();
  }
}

/**
 * Starts from no Switchboard keys in the shared Redis: counters of earlier runs belong to other (dropped) databases
 * whose user, token and channel ids this one reuses, so they would be somebody else's quota, limits and bans.
 */
export async function purgeSwitchboardKeys(): Promise<void> {
  const redis = new Redis(INFRA.redis.url, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', 'sb:*', 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** A random key (the start-up check refuses placeholders and repeated patterns such as 'ab'.repeat(32)). */
export const TEST_SECRET_KEY = '1ebce5744847a8d198c1ddfa48cc6cbb6b019b11324f0c240dac6c7752849bd4';

export const CLUSTER_SERVICES = ['auth', 'router', 'billing', 'log-writer'] as const;

/** The five services as separate processes on real NATS, Redis and Postgres; `gateways` replicas of the edge. */
export async function startCluster(
  opts: {
    gateways?: number;
    env?: NodeJS.ProcessEnv;
    /** per service, over `env` (e.g. its own NATS user) */ serviceEnv?: (name: string) => NodeJS.ProcessEnv;
    /** more for gateways that fork relay workers (GATEWAY_WORKERS) on a loaded machine */
    readyTimeoutMs?: number;
  } = {},
): Promise<System & { dropDatabase(): Promise<void> }> {
  const db = await createTestDatabase();
  await purgeUsageStream();
  await purgeSwitchboardKeys();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-e2e-cluster-'));
  const adminKey = 'sb-test-admin-key-0123456789';
  const env = baseEnv({
    DATA_DIR: dataDir,
    ADMIN_KEY: adminKey,
    SECRET_KEY: TEST_SECRET_KEY,
    NATS_URL: INFRA.nats.url,
    REDIS_URL: INFRA.redis.url,
    DATABASE_URL: db.url,
    ...opts.env,
  });
  const procs: Proc[] = [];
  const spawnService = async (name: string, port: number): Promise<Proc> => {
    const p = spawnProc(name, [dist(name)], { ...env, ...opts.serviceEnv?.(name), PORT: String(port) });
    procs.push(p);
    await waitReady(`http://127.0.0.1:${port}`, p, opts.readyTimeoutMs);
    return p;
  };
  try {
    // Services first (each migrates under an advisory lock), then the gateways.
    await Promise.all(CLUSTER_SERVICES.map(async (name) => spawnService(name, await freePort())));
    const gateways: string[] = [];
    for (let i = 0; i < (opts.gateways ?? 1); i++) {
      const port = await freePort();
      await spawnService('gateway', port);
      gateways.push(`http://127.0.0.1:${port}`);
    }
    return {
      url: gateways[0],
      adminKey,
      procs,
      gateways,
      dataDir,
      env,
      spawnService,
      stop: () => stopProcs(procs),
      dropDatabase: () => db.drop(),
    };
  } catch (e) {
    await stopProcs(procs);
    await db.drop();
    throw e;
  }
}

/** A tiny admin API client. */
export function adminClient(url: string, adminKey: string) {
  const call = async <T = Record<string, unknown>>(method: string, p: string, body?: unknown): Promise<{ status: number; body: T }> => {
    const r = await fetch(url + p, {
      method,
      headers: { authorization: `Bearer ${adminKey}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    return { status: r.status, body: (text ? JSON.parse(text) : null) as T };
  };
  return {
    call,
    get: <T = Record<string, unknown>>(p: string) => call<T>('GET', p),
    post: <T = Record<string, unknown>>(p: string, b: unknown) => call<T>('POST', p, b),
    patch: <T = Record<string, unknown>>(p: string, b: unknown) => call<T>('PATCH', p, b),
    put: <T = Record<string, unknown>>(p: string, b: unknown) => call<T>('PUT', p, b),
    del: <T = Record<string, unknown>>(p: string) => call<T>('DELETE', p),
  };
}

/** Polls until fn returns a truthy value (no sleeps in tests where an event can be awaited: this is the await). */
export async function eventually<T>(fn: () => Promise<T | undefined | null | false>, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}

/** A request's log, once log-writer has stored it (`GET /api/logs/:requestId`, the x-request-id of the answer). */
export function logOf<T = Record<string, any>>(admin: ReturnType<typeof adminClient>, requestId: string, timeoutMs = 10_000): Promise<T> {
  return eventually(
    async () => {
      const r = await admin.get<T>(`/api/logs/${requestId}`);
      return r.status === 200 ? r.body : null;
    },
    timeoutMs,
    `the log of ${requestId}`,
  );
}

/** One series' value on a process's /metrics (`name{labels}` exactly as exposed); 0 while it is absent. */
export async function metricValue(baseUrl: string, series: string): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}
