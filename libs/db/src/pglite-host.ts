/**
 * The embedded database's own process (started by pglite-process.ts, never by hand): PGlite on `<dir>`, served over
 * the Postgres wire protocol on a Unix socket that only the parent knows (a private temp folder). PGlite executes
 * queries synchronously in WASM; here they no longer stall the event loop that relays HTTP, and its WASM heap is
 * this process's memory, not the gateway's.
 *
 *   node pglite-host.js <pglite dir> <socket path>        (with an IPC channel to the parent)
 *
 * Lifetime: tied to the parent. `{ type: 'stop' }` from the parent, or the IPC channel closing (the parent exited or
 * was killed, even with SIGKILL) → stop serving, close PGlite cleanly, exit. SIGINT/SIGTERM (a Ctrl-C reaches the
 * whole process group) are left to the parent, which still has records to write at shutdown; if it does not stop us
 * within a grace period we stop on our own.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLITE_START_PARAMS } from './pglite-params';
import { PgliteWireServer } from './pglite-wire';

export type HostMessage = { type: 'ready' } | { type: 'failed'; message: string };
export type ParentMessage = { type: 'stop' };

const SIGNAL_GRACE_MS = 15_000;

function log(msg: string): void {
  process.stderr.write(`[pglite-host ${process.pid}] ${msg}\n`);
}

async function main(): Promise<void> {
  const [dir, socketPath] = process.argv.slice(2);
  const send = process.send?.bind(process);
  if (!dir || !socketPath || !send) {
    log('usage: started by @switchboard/db with an IPC channel: pglite-host <pglite dir> <socket path>');
    process.exit(2);
  }
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
      process.exit(code);
    })());

  process.on('disconnect', () => void stop(0));
  process.on('message', (m: ParentMessage) => {
    if (m?.type === 'stop') void stop(0);
  });
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => setTimeout(() => void stop(0), SIGNAL_GRACE_MS).unref());
  }

  try {
    pglite = await PGlite.create({ dataDir: dir, startParams: PGLITE_START_PARAMS });
    server = new PgliteWireServer(pglite);
    await server.listen(socketPath);
  } catch (err) {
    const message = (err as Error)?.message ?? String(err);
    log(`failed to start: ${message}`);
    send({ type: 'failed', message } satisfies HostMessage, undefined, {}, () => undefined);
    await stop(1);
    return;
  }
  // with a callback, a parent that is already gone is an error passed here, not an 'error' event that would crash us
  send({ type: 'ready' } satisfies HostMessage, undefined, {}, (err) => {
    if (err) void stop(0);
  });
}

// only as the child's entry: importing this file (for its message types) starts nothing
if (require.main === module) void main();
