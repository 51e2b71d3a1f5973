import net from 'node:net';
import type { PGlite } from '@electric-sql/pglite';

/**
 * Serves one PGlite over the Postgres wire protocol on a Unix socket, to one client connection at a time (PGlite is
 * a single Postgres session: two connections would share one session's statements and transaction). Meant for one
 * client with a pool of one connection (the parent's).
 *
 * Each complete protocol message is handed to PGlite's own protocol handler, one after the other; the replies of a
 * chunk's messages go back in one write. One correction: after an error in an extended-protocol message (Parse,
 * Bind, Describe, Execute, …) PGlite sends ReadyForQuery at once, and again at the client's Sync; Postgres sends it
 * only at the Sync, and a client counting ReadyForQuery (node-postgres does) would take the second one for the end
 * of its next query. The first one is dropped.
 */
export class PgliteWireServer {
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  /** settles when the last accepted connection has closed and its work is done */
  private lastSession: Promise<void> = Promise.resolve();

  constructor(private readonly db: PGlite) {
    this.server = net.createServer((socket) => this.accept(socket));
  }

  listen(socketPath: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(socketPath, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
  }

  /** Stops accepting, drops the clients, and waits for the message in progress. */
  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await this.lastSession;
  }

  /**
   * Connections take turns: a connection's messages run once the previous connection has closed (node-postgres's
   * pool drops a connection after a failed query and opens a new one, which may arrive before the old one's close).
   */
  private accept(socket: net.Socket): void {
    this.sockets.add(socket);
    let work = this.lastSession;
    let closed!: () => void;
    this.lastSession = new Promise<void>((resolve) => (closed = resolve));
    let pending: Buffer = Buffer.alloc(0);
    let started = false; // the first message (StartupMessage) has no type byte
    socket.on('data', (data: Buffer) => {
      pending = pending.length ? Buffer.concat([pending, data]) : data;
      const messages: Buffer[] = [];
      for (;;) {
        const header = started ? 1 : 0;
        if (pending.length < header + 4) break;
        const size = header + pending.readInt32BE(header);
        if (pending.length < size) break;
        messages.push(pending.subarray(0, size));
        pending = pending.subarray(size);
        started = true;
      }
      if (messages.length) work = work.then(() => this.execute(socket, messages));
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      this.sockets.delete(socket);
      work = work
        .then(async () => {
          // a connection that ends inside a transaction must not leave it open for the next one
          if (this.db.isInTransaction()) await this.db.exec('ROLLBACK');
        })
        .catch(() => undefined)
        .finally(closed);
    });
  }

  private async execute(socket: net.Socket, messages: Buffer[]): Promise<void> {
    const out: Uint8Array[] = [];
    for (const m of messages) {
      if (socket.destroyed) return;
      const reply: Uint8Array[] = [];
      try {
        await this.db.execProtocolRawStream(new Uint8Array(m.buffer, m.byteOffset, m.length), { onRawData: (d) => reply.push(d.slice()) });
      } catch {
        socket.destroy(); // the session's state is unknown now: the client reconnects
        return;
      }
      const type = String.fromCharCode(m[0]);
      out.push(...(EXTENDED.has(type) ? dropReadyAfterError(reply) : reply));
    }
    if (out.length && !socket.destroyed) socket.write(Buffer.concat(out));
  }
}

/** extended-protocol messages (PGlite answers an error in them with ReadyForQuery at once) */
const EXTENDED = new Set(['P', 'B', 'D', 'E', 'C', 'H']);

/** The reply without a ReadyForQuery ('Z') that directly follows an ErrorResponse ('E'). */
function dropReadyAfterError(reply: Uint8Array[]): Uint8Array[] {
  const all = Buffer.concat(reply);
  const kept: Buffer[] = [];
  let previous = '';
  for (let i = 0; i + 5 <= all.length;) {
    const size = 1 + all.readInt32BE(i + 1);
    const type = String.fromCharCode(all[i]);
    if (!(type === 'Z' && previous === 'E')) kept.push(all.subarray(i, i + size));
    previous = type;
    i += size;
  }
  return kept;
}
