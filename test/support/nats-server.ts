import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './harness';

const ROOT = path.resolve(__dirname, '../..');
/** The permissions compose and k8s run NATS with (one source), and the script that starts it. */
export const NATS_CONF = path.join(ROOT, 'deploy/nats/nats.conf');
const NATS_START = path.join(ROOT, 'deploy/nats/start.sh');
export const NATS_USERS = ['gateway', 'auth', 'router', 'billing', 'log-writer'] as const;
export type NatsUser = (typeof NATS_USERS)[number];
/** The server-side variable of a user's password in deploy/nats/nats.conf. */
export const passwordVar = (user: NatsUser): string => `NATS_PASSWORD_${user.toUpperCase().replace(/-/g, '_')}`;

export interface PrivateNats {
  url: string;
  /** each service's password, as the server was given it */
  passwords: Record<NatsUser, string>;
  log: string[];
  stop(): Promise<void>;
}

function natsServerBinary(): string | null {
  for (const bin of ['nats-server', '/usr/sbin/nats-server', '/usr/local/bin/nats-server']) {
    if (spawnSync(bin, ['--version']).status === 0) return bin;
  }
  return null;
}

/** true when nats-server can be run; without it, CI=true fails the suite and otherwise it is skipped (like requireInfra). */
export function requireNatsServer(): boolean {
  if (natsServerBinary()) return true;
  if (process.env.CI === 'true') throw new Error('nats-server not found; CI=true requires every tier to run');

  console.warn('SKIPPED: nats-server not found on PATH');
  return false;
}

/**
 * A nats-server of the test's own on a free loopback port with JetStream in a temp folder, started as compose and
 * k8s start it (deploy/nats/start.sh on deploy/nats/nats.conf), or on another `config`, with a fresh random password
 * per service user (a letter first: nats-server parses them as config values).
 */
export async function startPrivateNats(config = NATS_CONF, extraArgs: string[] = []): Promise<PrivateNats> {
  const bin = natsServerBinary();
  if (!bin) throw new Error('nats-server not found');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-nats-'));
  const passwords = Object.fromEntries(NATS_USERS.map((u) => [u, `sb${randomBytes(12).toString('hex')}`])) as Record<NatsUser, string>;
  const env = { ...process.env, ...Object.fromEntries(NATS_USERS.map((u) => [passwordVar(u), passwords[u]])) };
  const port = await freePort();
  const args = ['-a', '127.0.0.1', '-p', String(port), '-sd', path.join(dir, 'js'), ...extraArgs];
  const [command, argv] = config === NATS_CONF ? ['sh', [NATS_START, ...args]] : [bin, ['-c', config, '-js', ...args]];
  const child = spawn(command, argv, {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const onData = (b: Buffer) => {
      log.push(b.toString());
      if (log.join('').includes('Server is ready')) resolve();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('close', (code) => reject(new Error(`nats-server exited (${code}): ${log.join('')}`)));
    setTimeout(() => reject(new Error(`nats-server not ready in 10 s: ${log.join('')}`)), 10_000).unref();
  });
  return {
    url: `nats://127.0.0.1:${port}`,
    passwords,
    log,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
