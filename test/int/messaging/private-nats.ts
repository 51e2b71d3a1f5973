// A nats-server of the test's own (a free port, a temp JetStream directory) that it can stop and start again on
// the same port and store: the shared one on 4222 serves other suites and must never go down.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connect } from 'nats';
import { freePort } from '../../support/harness';

export interface PrivateNats {
  url: string;
  /** stops the server (SIGTERM, so its consumers' acks are on disk: what is tested is the gateway's side); its store stays */
  stop(): Promise<void>;
  /** starts it again on the same port and store */
  start(): Promise<void>;
  /** stops it and removes its store */
  dispose(): Promise<void>;
}

export async function startPrivateNats(): Promise<PrivateNats> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-nats-'));
  const port = await freePort();
  const url = `nats://127.0.0.1:${port}`;
  let child: ChildProcess | null = null;
  const out: string[] = [];

  const start = async () => {
    child = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (d: Buffer) => void (out.push(d.toString()), out.length > 50 && out.shift());
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    const deadline = Date.now() + 15_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`nats-server exited (${child.exitCode}): ${out.join('')}`);
      const ok = await connect({ servers: url, reconnect: false })
        .then(async (nc) => {
          try {
            await (await nc.jetstreamManager()).getAccountInfo();
            return true;
          } finally {
            await nc.close();
          }
        })
        .catch(() => false);
      if (ok) return;
      if (Date.now() > deadline) throw new Error(`nats-server not ready: ${out.join('')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const stop = () =>
    new Promise<void>((resolve) => {
      const c = child;
      child = null;
      if (!c || c.exitCode !== null || c.signalCode) return resolve();
      const force = setTimeout(() => c.kill('SIGKILL'), 15_000);
      c.once('exit', () => {
        clearTimeout(force);
        resolve();
      });
      c.kill('SIGTERM');
    });

  await start();
  return {
    url,
    stop,
    start,
    dispose: async () => {
      await stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
