/**
 * The embedded database's own thread of execution (started by pglite-process.ts, never by hand): PGlite on `<dir>`,
 * served over the Postgres wire protocol on a Unix socket that only the parent knows (a private temp folder). PGlite
 * executes queries synchronously in WASM; here they no longer stall the event loop that relays HTTP.
 *
 * Two hosts run this same file:
 * - a worker thread (EMBEDDED_DB_HOST=worker-thread): `workerData` names the directory and socket; the thread ends
 *   with the process, whatever ends it. `{ type: 'stop' }` on the parent port closes it cleanly.
 * - a child process (EMBEDDED_DB_HOST=child-process): `node pglite-host.js <pglite dir> <socket path>` with an IPC
 *   channel to the parent; its WASM heap is then that process's memory, not the gateway's. Lifetime tied to the
 *   parent: `{ type: 'stop' }`, or the IPC channel closing (the parent exited or was killed, even with SIGKILL) → stop
 *   serving, close PGlite cleanly, exit. SIGINT/SIGTERM (a Ctrl-C reaches the whole process group) are left to the
 *   parent, which still has records to write at shutdown; if it does not stop us within a grace period we stop on our
 *   own.
 */
import fs from 'node:fs';
import path from 'node:path';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { PGLITE_START_PARAMS } from './pglite-params';
import { PgliteWireServer } from './pglite-wire';

export type HostMessage = { type: 'ready' } | { type: 'failed'; message: string };
export type ParentMessage = { type: 'stop' };
/** what a worker-thread host is started with */
export interface HostWorkerData {
  pgliteHost: { dir: string; socketPath: string };
}

const SIGNAL_GRACE_MS = 15_000;

/** How the host talks to whoever started it. */
interface ParentLink {
  readonly name: string;
  /** `onGone` runs if the message cannot reach the parent (it is gone) */
  send(message: HostMessage, onGone: () => void): void;
}

/** Opens PGlite on `dir`, serves it on `socketPath`, tells the parent; `stop(code)` closes both and ends this host. */
async function serve(dir: string, socketPath: string, link: ParentLink): Promise<(code: number) => Promise<void>> {
  const log = (msg: string) => process.stderr.write(`[${link.name}] ${msg}\n`);
  let pglite: PGlite | undefined;
  let server: PgliteWireServer | undefined;
  let stopping: Promise<void> | undefined;
  const stop = (code: number): Promise<void> =>
    (stopping ??= (async () => {
      try {
        await server?.close();
      } catch (err) {
        log(`stopping the socket server: ${(err as Error).message}`);
      }
      try {
        await pglite?.close();
      } catch (err) {
        log(`closing PGlite: ${(err as Error).message}`);
        code ||= 1;
      }
      fs.rmSync(path.dirname(socketPath), { recursive: true, force: true }); // the parent's private temp folder
      process.exit(code); // in a worker thread: ends the thread only
    })());

  try {
    pglite = await PGlite.create({ dataDir: dir, startParams: PGLITE_START_PARAMS });
    server = new PgliteWireServer(pglite);
    await server.listen(socketPath);
  } catch (err) {
    const message = (err as Error)?.message ?? String(err);
    log(`failed to start: ${message}`);
    link.send({ type: 'failed', message }, () => undefined);
    await stop(1);
    return stop;
  }
  link.send({ type: 'ready' }, () => void stop(0));
  return stop;
}

function childMain(): void {
  const [dir, socketPath] = process.argv.slice(2);
  const send = process.send?.bind(process);
  if (!dir || !socketPath || !send) {
    process.stderr.write('usage: started by @switchboard/db with an IPC channel: pglite-host <pglite dir> <socket path>\n');
    process.exit(2);
  }
  const stopped = serve(dir, socketPath, {
    name: `pglite-host ${process.pid}`,
    // with a callback, a parent that is already gone is an error passed here, not an 'error' event that would crash us
    send: (message, onGone) => send(message, undefined, {}, (err) => err && onGone()),
  });
  const stop = (code: number) => void stopped.then((s) => s(code));
  process.on('disconnect', () => stop(0));
  process.on('message', (m: ParentMessage) => {
    if (m?.type === 'stop') stop(0);
  });
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => setTimeout(() => stop(0), SIGNAL_GRACE_MS).unref());
  }
}

function workerMain(port: NonNullable<typeof parentPort>, { dir, socketPath }: HostWorkerData['pgliteHost']): void {
  const stopped = serve(dir, socketPath, {
    name: 'pglite-host worker',
    send: (message) => port.postMessage(message),
  });
  port.on('message', (m: ParentMessage) => {
    if (m?.type === 'stop') void stopped.then((s) => s(0));
  });
}

// only as a host's entry: importing this file (for its message types) starts nothing
const hostData = (workerData as Partial<HostWorkerData> | null)?.pgliteHost;
if (!isMainThread && parentPort && hostData) workerMain(parentPort, hostData);
else if (isMainThread && require.main === module) childMain();
