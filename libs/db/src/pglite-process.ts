import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { HostMessage, ParentMessage } from './pglite-host';

/** The embedded database running in a child process (pglite-host.ts), reached over a private Unix socket. */
export interface PgliteProcess {
  readonly pid: number;
  /** pg's `host` for a Unix socket: the folder holding `.s.PGSQL.<port>` */
  readonly socketDir: string;
  readonly port: number;
  /** Asks the child to close PGlite and exit, and waits for it (SIGKILL after `graceMs`). Idempotent. */
  stop(graceMs?: number): Promise<void>;
}

const PORT = 5432;
const STOP_GRACE_MS = 30_000;

/** The compiled child entry: beside this file, or the build's (dist/) when this runs from TypeScript sources (Jest). */
export function pgliteHostScript(): string | undefined {
  const candidates = [path.join(__dirname, 'pglite-host.js'), path.resolve(__dirname, '../../../dist/libs/db/src/pglite-host.js')];
  return candidates.find((f) => fs.existsSync(f));
}

/**
 * Starts PGlite on `dir` in a child process and resolves once it accepts connections. `onSpawn` gets the child's pid
 * as soon as it exists; `onLost` is called if the child exits after it was ready but before stop() was asked for (a
 * crash): the database is gone.
 */
export async function startPgliteProcess(
  dir: string,
  { onSpawn, onLost }: { onSpawn(pid: number): void; onLost(reason: string): void },
): Promise<PgliteProcess> {
  const script = pgliteHostScript();
  if (!script) throw new Error(`the embedded database host (pglite-host.js) is missing beside ${__dirname}: build first`);
  // A private folder (mkdtemp: mode 0700) keeps other local users off the database; os.tmpdir() keeps the socket's
  // path short (a Unix socket path holds at most 107 bytes, a DATA_DIR may be longer).
  const socketDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-pglite-'));
  const removeSocketDir = () => fs.rmSync(socketDir, { recursive: true, force: true });
  const child = fork(script, [dir, path.join(socketDir, `.s.PGSQL.${PORT}`)], {
    execArgv: [], // not the parent's (--cpu-prof, --inspect, …)
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    serialization: 'json',
  });
  if (child.pid) onSpawn(child.pid);
  const exited = new Promise<string>((resolve) =>
    child.once('exit', (code, signal) => resolve(signal ? `killed by ${signal}` : `exit code ${code}`)),
  );

  try {
    await new Promise<void>((resolve, reject) => {
      child.on('message', (m: HostMessage) => {
        if (m?.type === 'ready') resolve();
        else if (m?.type === 'failed') reject(new Error(`the embedded database failed to start: ${m.message}`));
      });
      child.once('error', reject);
      void exited.then((how) => reject(new Error(`the embedded database process ended while starting (${how})`)));
    });
  } catch (err) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    removeSocketDir();
    throw err;
  }

  let stopping: Promise<void> | undefined;
  void exited.then((how) => {
    if (!stopping) onLost(how);
  });
  // the parent's event loop is kept alive by its connections, not by the child
  child.unref();
  child.channel?.unref();

  return {
    pid: child.pid!,
    socketDir,
    port: PORT,
    stop: (graceMs = STOP_GRACE_MS) =>
      (stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
          if (child.connected) child.send({ type: 'stop' } satisfies ParentMessage);
          else child.kill('SIGTERM');
          await exited;
          clearTimeout(kill);
        }
        removeSocketDir();
      })()),
  };
}
