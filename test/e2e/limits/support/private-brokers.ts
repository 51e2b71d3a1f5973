// A cluster of its own for one test file: its own nats-server and redis-server, started beside the shared
// Postgres. Why: jest runs two files at once (--maxWorkers=2), and two clusters on one NATS share the services'
// queue groups (a gateway's `auth.key.verify.v1` may be answered by the other cluster's auth, reading another
// database), and on one Redis share the counters of `token:1`, `group:default`… Limits and quota tests need both
// to be theirs alone, and the Redis round-trip count needs a Redis that sees nothing else.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { connect } from 'nats';
import { freePort, startCluster, type System } from '../../../support/harness';
import { INFRA, requireInfra } from '../../../support/infra';

export interface Brokers {
  natsUrl: string;
  redisUrl: string;
  /** true when both run as this file's own processes; false when the shared ones had to be used */
  private: boolean;
  stop(): Promise<void>;
}

function findBinary(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), '/usr/sbin', '/usr/bin', '/usr/local/bin', '/usr/local/sbin'];
  for (const d of dirs) {
    const p = path.join(d, name);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  return undefined;
}

async function until(what: string, fn: () => Promise<boolean>, child: ChildProcess, out: string[], timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${what} exited (${child.exitCode}): ${out.join('')}`);
    if (await fn().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what} not ready after ${timeoutMs} ms: ${out.join('')}`);
}

function spawnQuiet(bin: string, args: string[]): { child: ChildProcess; out: string[] } {
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const out: string[] = [];
  const keep = (d: Buffer) => {
    out.push(d.toString());
    if (out.length > 50) out.shift();
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  return { child, out };
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode) return resolve();
    const t = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * Starts a private nats-server (JetStream) and redis-server on free ports. Without the binaries it falls back to
 * the shared ones (Redis database `fallbackRedisDb`, flushed first) and says so.
 */
export async function startPrivateBrokers(fallbackRedisDb: number): Promise<Brokers> {
  const natsBin = findBinary('nats-server');
  const redisBin = findBinary('redis-server');
  if (!natsBin || !redisBin) {
    console.warn('nats-server/redis-server not found: using the shared NATS and Redis; parallel cluster tests may interfere');
    const redisUrl = `${INFRA.redis.url}/${fallbackRedisDb}`;
    const r = new Redis(redisUrl, { lazyConnect: true });
    await r.connect();
    await r.flushdb();
    r.disconnect();
    return { natsUrl: INFRA.nats.url, redisUrl, private: false, stop: async () => undefined };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-brokers-'));
  const [natsPort, redisPort] = [await freePort(), await freePort()];
  const nats = spawnQuiet(natsBin, ['-a', '127.0.0.1', '-p', String(natsPort), '-js', '-sd', path.join(dir, 'js')]);
  const redis = spawnQuiet(redisBin, ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir]);
  const natsUrl = `nats://127.0.0.1:${natsPort}`;
  const redisUrl = `redis://127.0.0.1:${redisPort}`;
  const stop = async () => {
    await Promise.all([stopChild(nats.child), stopChild(redis.child)]);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    await until(
      'nats-server',
      async () => {
        const nc = await connect({ servers: natsUrl, reconnect: false });
        try {
          await (await nc.jetstreamManager()).getAccountInfo();
          return true;
        } finally {
          await nc.close();
        }
      },
      nats.child,
      nats.out,
    );
    await until(
      'redis-server',
      async () => {
        const r = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
        try {
          await r.connect();
          return (await r.ping()) === 'PONG';
        } finally {
          r.disconnect();
        }
      },
      redis.child,
      redis.out,
    );
  } catch (e) {
    await stop();
    throw e;
  }
  return { natsUrl, redisUrl, private: true, stop };
}

export type IsolatedCluster = System & { redisUrl: string; databaseUrl: string; dropDatabase(): Promise<void> };

/**
 * `startCluster` on the shared Postgres (a fresh database, as always) with this file's own NATS and Redis. Returns
 * null when the infrastructure is missing and the suite may skip (not with CI=true: then it throws).
 */
export async function startIsolatedCluster(opts: {
  gateways?: number;
  env?: NodeJS.ProcessEnv;
  fallbackRedisDb: number;
  readyTimeoutMs?: number;
}): Promise<IsolatedCluster | null> {
  if (!(await requireInfra('postgres', 'redis', 'nats'))) return null;
  const brokers = await startPrivateBrokers(opts.fallbackRedisDb);
  try {
    const sys = await startCluster({
      gateways: opts.gateways,
      env: { NATS_URL: brokers.natsUrl, REDIS_URL: brokers.redisUrl, ...opts.env },
      readyTimeoutMs: opts.readyTimeoutMs,
    });
    return {
      ...sys,
      redisUrl: brokers.redisUrl,
      databaseUrl: String(sys.env.DATABASE_URL),
      stop: async () => {
        await sys.stop();
        await brokers.stop();
      },
    };
  } catch (e) {
    await brokers.stop();
    throw e;
  }
}
