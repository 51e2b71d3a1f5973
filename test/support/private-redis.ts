// A redis-server of the test's own on a free port, which the test may kill, pause and restart on the same port (never
// the machine's shared Redis, which other suites use at the same time).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './harness';
import { reachable } from './infra';

export interface PrivateRedis {
  url: string;
  port: number;
  /** SIGKILL: gone at once, as in a crash. */
  kill(): Promise<void>;
  /** SIGSTOP / SIGCONT: connections stay open and nothing answers (a hung server, a partition). */
  pause(): void;
  resume(): void;
  /** Starts it again on the same port (and, with `persist`, with the data it had). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export function redisServerBinary(): string | undefined {
  for (const dir of [...(process.env.PATH ?? '').split(path.delimiter), '/usr/bin', '/usr/sbin', '/usr/local/bin']) {
    const p = path.join(dir, 'redis-server');
    if (fs.existsSync(p)) return p;
  }
  return undefined;
}

/** `persist`: an append-only file fsynced at every write, so a restart keeps everything written before the kill. */
export async function startPrivateRedis(opts: { persist?: boolean } = {}): Promise<PrivateRedis> {
  const bin = redisServerBinary();
  if (!bin) throw new Error('redis-server not found');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-redis-'));
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', ''];
  args.push(...(opts.persist ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']));
  let child: ChildProcess | null = null;
  const out: string[] = [];

  const start = async () => {
    const c = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    c.stdout.on('data', (d: Buffer) => out.push(d.toString()));
    c.stderr.on('data', (d: Buffer) => out.push(d.toString()));
    child = c;
    const deadline = Date.now() + 10_000;
    while (!(await reachable('127.0.0.1', port))) {
      if (c.exitCode !== null || Date.now() > deadline) throw new Error(`redis-server did not start on ${port}: ${out.join('')}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  const kill = async () => {
    const c = child;
    child = null;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGCONT');
    c.kill('SIGKILL');
    await exited;
  };

  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    kill,
    pause: () => void child?.kill('SIGSTOP'),
    resume: () => void child?.kill('SIGCONT'),
    restart: start,
    stop: async () => {
      await kill();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
