import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { HostMessage, HostWorkerData, ParentMessage } from './pglite-host';

/** Where the embedded database's host (pglite-host.ts) runs when it is not in the caller's own event loop. */
export type PgliteHostKind = 'worker-thread' | 'child-process';

/** The embedded database running in a worker thread or a child process (pglite-host.ts), reached over a private Unix socket. */
export interface PgliteHost {
  /** pg's `host` for a Unix socket: the folder holding `.s.PGSQL.<port>` */
  readonly socketDir: string;
  readonly port: number;
  /** Asks the host to close PGlite and end, and waits for it (killed after `graceMs`). Idempotent. */
  stop(graceMs?: number): Promise<void>;
}

const PORT = 5432;
const STOP_GRACE_MS = 30_000;

/** The compiled host entry: beside this file, or the build's (dist/) when this runs from TypeScript sources (Jest). */
export function pgliteHostScript(): string | undefined {
  const candidates = [path.join(__dirname, 'pglite-host.js'), path.resolve(__dirname, '../../../dist/libs/db/src/pglite-host.js')];
  return candidates.find((f) => fs.existsSync(f));
}

/** What both kinds of host look like from here. */
interface HostHandle {
  on(event: 'message', listener: (m: HostMessage) => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
  once(event: 'error', listener: (err: Error) => void): unknown;
  /** resolves with how it ended */
  readonly exited: Promise<string>;
  readonly running: () => boolean;
  askToStop(): void;
  kill(): void;
  unref(): void;
}

function spawnHost(kind: PgliteHostKind, script: string, dir: string, socketPath: string, onSpawn: (pid: number) => void): HostHandle {
  if (kind === 'worker-thread') {
    const worker = new Worker(script, {
      workerData: { pgliteHost: { dir, socketPath } } satisfies HostWorkerData,
      execArgv: [], // not the parent's (--cpu-prof, --inspect, …)
    });
    let ended = false;
    const exited = new Promise<string>((resolve) =>
      worker.once('exit', (code) => {
        ended = true;
        resolve(`worker thread exit code ${code}`);
      }),
    );
    return {
      on: (event: string, listener: Parameters<Worker['on']>[1]) => worker.on(event, listener),
      once: (event, listener) => worker.once(event, listener),
      exited,
      running: () => !ended,
      askToStop: () => worker.postMessage({ type: 'stop' } satisfies ParentMessage),
      kill: () => void worker.terminate(),
      unref: () => worker.unref(),
    };
  }
  const child = fork(script, [dir, socketPath], {
    execArgv: [], // not the parent's (--cpu-prof, --inspect, …)
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    serialization: 'json',
  });
  if (child.pid) onSpawn(child.pid);
  const exited = new Promise<string>((resolve) => child.once('exit', (code, signal) => resolve(signal ? `killed by ${signal}` : `exit code ${code}`)));
  const running = () => child.exitCode === null && child.signalCode === null;
  return {
    on: (event: string, listener: Parameters<ChildProcess['on']>[1]) => child.on(event, listener),
    once: (event, listener) => child.once(event, listener),
    exited,
    running,
    askToStop: () => (child.connected ? child.send({ type: 'stop' } satisfies ParentMessage) : child.kill('SIGTERM')),
    kill: () => void child.kill('SIGKILL'),
    unref: () => {
      // the parent's event loop is kept alive by its connections, not by the child
      child.unref();
      child.channel?.unref();
    },
  };
}

/**
 * Starts PGlite on `dir` in a worker thread or a child process and resolves once it accepts connections. `onSpawn`
 * gets a child process's pid as soon as it exists (a worker thread has none of its own); `onLost` is called if the
 * host ends after it was ready but before stop() was asked for (a crash): the database is gone.
 */
export async function startPgliteHost(
  kind: PgliteHostKind,
  dir: string,
  { onSpawn, onLost }: { onSpawn: (pid: number) => void; onLost: (reason: string) => void },
): Promise<PgliteHost> {
  const script = pgliteHostScript();
  if (!script) throw new Error(`the embedded database host (pglite-host.js) is missing beside ${__dirname}: build first`);
  // A private folder (mkdtemp: mode 0700) keeps other local users off the database; os.tmpdir() keeps the socket's
  // path short (a Unix socket path holds at most 107 bytes, a DATA_DIR may be longer).
  const socketDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-pglite-'));
  const removeSocketDir = () => fs.rmSync(socketDir, { recursive: true, force: true });
  const host = spawnHost(kind, script, dir, path.join(socketDir, `.s.PGSQL.${PORT}`), onSpawn);

  try {
    await new Promise<void>((resolve, reject) => {
      host.on('message', (m) => {
        if (m?.type === 'ready') resolve();
        else if (m?.type === 'failed') reject(new Error(`the embedded database failed to start: ${m.message}`));
      });
      host.once('error', reject);
      void host.exited.then((how) => reject(new Error(`the embedded database host ended while starting (${how})`)));
    });
  } catch (err) {
    if (host.running()) host.kill();
    await host.exited;
    removeSocketDir();
    throw err;
  }

  let stopping: Promise<void> | undefined;
  // After start an 'error' (the host threw; 'exit' follows) is only logged here: onLost tells the caller.
  host.on('error', (err) => process.stderr.write(`[pglite-host] ${err.message}\n`));
  void host.exited.then((how) => {
    if (stopping) return;
    removeSocketDir(); // a worker thread cannot clean up after itself as a child process does
    onLost(how);
  });
  host.unref();

  return {
    socketDir,
    port: PORT,
    stop: (graceMs = STOP_GRACE_MS) =>
      (stopping ??= (async () => {
        if (host.running()) {
          const kill = setTimeout(() => host.kill(), graceMs);
          host.askToStop();
          await host.exited;
          clearTimeout(kill);
        }
        removeSocketDir();
      })()),
  };
}
