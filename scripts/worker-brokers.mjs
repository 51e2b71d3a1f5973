// Brokers of its own for each extra Jest worker of the end-to-end tier: a cluster booted by one worker's suite must
// never answer (or purge) another worker's messages and counters. Worker 1 keeps the machine's Redis and NATS.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { reachable } from './net.mjs';

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function until(what, check, ms = 10_000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what} did not come up within ${ms} ms`);
}

/**
 * Starts Redis and NATS (JetStream) for workers 2..n. Returns the SB_TEST_WORKER_BROKERS value (JSON, one entry per
 * worker, null: the defaults) and a stop function.
 */
export async function startWorkerBrokers(workers, defaults) {
  const procs = [];
  const dirs = [];
  const entries = [defaults];
  const stop = () => {
    for (const p of procs) if (p.exitCode === null) p.kill('SIGTERM');
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  };
  try {
    for (let w = 2; w <= workers; w++) {
      const redis = await freePort();
      const nats = await freePort();
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), `sb-e2e-w${w}-`));
      dirs.push(dir);
      procs.push(spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(redis), '--save', '', '--appendonly', 'no'], { stdio: 'ignore' }));
      procs.push(spawn('nats-server', ['-a', '127.0.0.1', '-p', String(nats), '-js', '-sd', dir], { stdio: 'ignore' }));
      await until(`redis on ${redis}`, () => reachable('127.0.0.1', redis, 200));
      await until(`nats on ${nats}`, () => reachable('127.0.0.1', nats, 200));
      entries.push({ redis, nats });
    }
  } catch (e) {
    stop();
    throw e;
  }
  return { value: JSON.stringify(entries), stop };
}
