// Starts what the benchmark drives: the mock upstream, the floor proxy, Switchboard standalone and cluster.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, onPath, reachable, start, stop, waitHttp, waitPort } from './procs.mjs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dist = (app, root = ROOT) => path.join(root, 'dist/apps', app, 'src/main.js');
export const ADMIN_KEY = 'sb-bench-admin-key-0123456789abcdef';
const SECRET_KEY = '50a13de1b23372c9eeafe9554a294291989d2a5cd052c7119c10830b86658562'; // random: the start-up check refuses repeated patterns
export const MODELS = { openai: 'gpt-4o-mini', anthropic: 'claude-3-5-haiku-latest' };

/** Environment of a Switchboard process: nothing inherited that would change what is measured. */
function sbEnv(extra) {
  const env = { ...process.env };
  // GATEWAY_WORKERS too: relay workers are a setting of the run (BENCH_WORKERS, an A/B arm's ?GATEWAY_WORKERS=N), not of the shell.
  for (const k of Object.keys(env))
    if (/^(OTEL_|NATS_URL|REDIS_URL|DATABASE_URL|PORT|ADMIN_KEY|SECRET_KEY|DATA_DIR|LOG_LEVEL|GATEWAY_WORKERS)/.test(k)) delete env[k];
  return { ...env, HOST: '127.0.0.1', LOG_LEVEL: 'warn', UNPRICED_MODEL_POLICY: 'free', ADMIN_KEY, ...extra };
}

/** Extra node flags for Switchboard processes (the profiler uses this for --cpu-prof). */
function nodeArgs(script, flags = []) {
  return [...flags, script];
}

export async function startMock() {
  const port = await freePort();
  const proc = start('mock', process.execPath, [path.join(ROOT, 'dist/libs/testing/src/mock-upstream/main.js'), '--port', String(port), '--max-recorded', '1']);
  await waitPort(port, proc);
  return { name: 'mock', url: `http://127.0.0.1:${port}`, procs: [proc] };
}

export async function startFloor(mockUrl) {
  const port = await freePort();
  const proc = start('floor', process.execPath, [path.join(ROOT, 'bench/floor-proxy.mjs'), '--port', String(port), '--upstream', mockUrl]);
  await waitPort(port, proc);
  return { name: 'floor', url: `http://127.0.0.1:${port}`, procs: [proc], main: proc };
}

async function admin(url, method, p, body) {
  const r = await fetch(url + p, {
    method,
    headers: { authorization: `Bearer ${ADMIN_KEY}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await r.text();
  if (r.status >= 300) throw new Error(`${method} ${p}: ${r.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/**
 * One OpenAI channel and one Anthropic channel on the mock, and two keys: `key`, made without a userId (owned by the
 * built-in admin user: unlimited balance, no quota, no rpm/tpm/concurrency limits), and `fullKey` ("all features
 * on"): a user with a balance and rpm/tpm/concurrency limits, its token with a quota and its own limits, so every
 * request counts tokens for TPM, reserves and settles quota against two balances and checks four limits. The limits
 * are far above what the bench sends: they cost their checks, they never refuse.
 */
async function provision(sys, mockUrl) {
  await admin(sys.url, 'POST', '/api/channels', {
    name: 'bench-openai',
    type: 'openai',
    baseUrl: mockUrl,
    keys: ['sk-bench-upstream'],
    models: [MODELS.openai],
  });
  await admin(sys.url, 'POST', '/api/channels', {
    name: 'bench-anthropic',
    type: 'anthropic',
    baseUrl: mockUrl,
    keys: ['sk-bench-upstream'],
    models: [MODELS.anthropic],
  });
  const tok = await admin(sys.url, 'POST', '/api/tokens', { name: 'bench' });
  sys.key = tok.key;
  const user = await admin(sys.url, 'POST', '/api/users', {
    name: 'bench-full',
    balance: 1_000_000,
    rpm: 100_000_000,
    tpm: 2_000_000_000,
    maxConcurrency: 100_000,
  });
  const full = await admin(sys.url, 'POST', '/api/tokens', {
    name: 'bench-full',
    userId: user.id,
    quota: 1_000_000,
    rpm: 100_000_000,
    tpm: 2_000_000_000,
    maxConcurrency: 100_000,
  });
  sys.fullKey = full.key;
  // Both routes answer before measuring (in a cluster the table change travels over NATS).
  const deadline = Date.now() + 20_000;
  for (const [model, key] of [...Object.values(MODELS).map((m) => [m, sys.key]), [MODELS.openai, sys.fullKey]]) {
    for (;;) {
      const r = await fetch(`${sys.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model, messages: [{ role: 'user', content: 'ready?' }], max_tokens: 8 }),
      });
      const text = await r.text();
      if (r.status === 200) break;
      if (Date.now() > deadline) throw new Error(`${sys.name}: ${model} not served: ${r.status} ${text}`);
      await new Promise((res) => setTimeout(res, 200));
    }
  }
}

/** The node flags of a tree's `npm start` (package.json's start script, `node <flags> <script>`): each build is measured as its users run it. */
const npmStartFlags = (root) =>
  JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'))
    .scripts.start.trim()
    .split(/\s+/)
    .slice(1, -1);

export async function startStandalone(mockUrl, { nodeFlags = [], extraEnv = {}, root = ROOT, name = 'standalone' } = {}) {
  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-bench-'));
  const proc = start(
    name,
    process.execPath,
    nodeArgs(dist('standalone', root), [...npmStartFlags(root), ...nodeFlags]),
    sbEnv({ PORT: String(port), DATA_DIR: dataDir, ...extraEnv }),
  );
  const url = `http://127.0.0.1:${port}`;
  // Relay workers start after the primary (services, database): longer on a busy machine.
  await waitHttp(`${url}/health/ready`, proc, extraEnv.GATEWAY_WORKERS ? 240_000 : undefined);
  const sys = { name, url, procs: [proc], main: proc, dataDir };
  await provision(sys, mockUrl);
  sys.cleanup = async () => fs.rmSync(dataDir, { recursive: true, force: true });
  return sys;
}

/**
 * Cluster infrastructure. Private nats-server (JetStream) and redis-server on free ports when the binaries are
 * installed, so the benchmark neither disturbs nor is disturbed by anything else using the shared ones; else
 * BENCH_NATS_URL/BENCH_REDIS_URL or the default local ports. Postgres: a throwaway database on
 * BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432).
 */
export async function clusterInfra() {
  const pgBase = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432';
  const pgUrl = new URL(pgBase);
  if (!(await reachable(pgUrl.hostname, Number(pgUrl.port || 5432)))) return { skip: `postgres unreachable at ${pgBase}` };
  const procs = [];
  let natsUrl = process.env.BENCH_NATS_URL;
  let redisUrl = process.env.BENCH_REDIS_URL;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-bench-infra-'));
  if (!natsUrl && onPath('nats-server')) {
    const port = await freePort();
    const p = start('nats-server', 'nats-server', ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', tmp]);
    await waitPort(port, p);
    procs.push(p);
    natsUrl = `nats://127.0.0.1:${port}`;
  }
  if (!redisUrl && onPath('redis-server')) {
    const port = await freePort();
    const p = start('redis-server', 'redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']);
    await waitPort(port, p);
    procs.push(p);
    redisUrl = `redis://127.0.0.1:${port}`;
  }
  natsUrl ??= 'nats://127.0.0.1:4222';
  redisUrl ??= 'redis://127.0.0.1:6379';
  for (const u of [natsUrl, redisUrl]) {
    const x = new URL(u);
    if (!(await reachable(x.hostname, Number(x.port)))) {
      await Promise.all(procs.map((p) => stop(p)));
      return { skip: `unreachable: ${u}` };
    }
  }
  const { default: pg } = await import('pg');
  const db = `sb_bench_${Date.now().toString(36)}`;
  const c = new pg.Client({ connectionString: `${pgBase}/postgres` });
  await c.connect();
  await c.query(`CREATE DATABASE "${db}"`);
  await c.end();
  return {
    natsUrl,
    redisUrl,
    databaseUrl: `${pgBase}/${db}`,
    procs,
    private: procs.map((p) => p.name),
    cleanup: async () => {
      await Promise.all(procs.map((p) => stop(p)));
      const d = new pg.Client({ connectionString: `${pgBase}/postgres` });
      await d.connect();
      await d.query(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`).catch(() => undefined);
      await d.end();
      fs.rmSync(tmp, { recursive: true, force: true });
    },
  };
}

export async function startCluster(mockUrl, infra, { gatewayFlags = [], gatewayRoots = [ROOT], gatewayEnvs = [], gatewayArmFlags = [] } = {}) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-bench-cluster-'));
  const env = sbEnv({ DATA_DIR: dataDir, SECRET_KEY, NATS_URL: infra.natsUrl, REDIS_URL: infra.redisUrl, DATABASE_URL: infra.databaseUrl });
  const procs = [];
  const spawnService = async (name, root = ROOT, extraEnv = {}, armFlags = []) => {
    const port = await freePort();
    const flags = name === 'gateway' ? [...gatewayFlags, ...armFlags] : [];
    const p = start(name, process.execPath, nodeArgs(dist(name, root), flags), { ...env, ...extraEnv, PORT: String(port) });
    procs.push(p);
    await waitHttp(`http://127.0.0.1:${port}/health/ready`, p);
    return { p, port };
  };
  // Auth first: it migrates the database under the advisory lock; the others then find it done.
  await spawnService('auth');
  await Promise.all(['router', 'billing', 'log-writer'].map((n) => spawnService(n)));
  // Several gateways (one per build root) share the services: the A/B tool compares builds on the same cluster.
  const gws = [];
  for (const [i, root] of gatewayRoots.entries()) gws.push(await spawnService('gateway', root, gatewayEnvs[i], gatewayArmFlags[i]));
  const gw = gws[0];
  const sys = {
    name: 'cluster',
    url: `http://127.0.0.1:${gw.port}`,
    procs,
    main: gw.p,
    dataDir,
    gateways: gws.map((g) => ({ url: `http://127.0.0.1:${g.port}`, proc: g.p })),
  };
  await provision(sys, mockUrl);
  sys.cleanup = async () => fs.rmSync(dataDir, { recursive: true, force: true });
  return sys;
}
