// What the edge suites need beyond fetch: the error shape each inbound protocol must answer in, and raw HTTP/1.1
// exchanges for clients that misbehave on the wire (slow headers, stalled or oversized bodies).
import http from 'node:http';
import net from 'node:net';

export type InboundShape = 'openai' | 'anthropic' | 'gemini';

/** Whether a body is the protocol's own error object (what its SDK parses), with a message. */
export function isErrorShape(shape: InboundShape, body: unknown): boolean {
  const b = body as Record<string, any> | null;
  if (!b || typeof b !== 'object') return false;
  if (shape === 'openai') return typeof b.error?.message === 'string' && typeof b.error?.type === 'string';
  if (shape === 'anthropic') return b.type === 'error' && typeof b.error?.type === 'string' && typeof b.error?.message === 'string';
  return typeof b.error?.code === 'number' && typeof b.error?.status === 'string' && typeof b.error?.message === 'string';
}

/** The inbound protocol of a relay path, as the gateway decides it. */
export function shapeOfPath(path: string): InboundShape {
  if (path.startsWith('/v1/messages')) return 'anthropic';
  if (path.startsWith('/v1beta/') || /^\/v1\/models\/[^/]+:/.test(path)) return 'gemini';
  return 'openai';
}

export interface UploadResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** the client's error, if its request failed (EPIPE, ECONNRESET…) */
  error?: string;
  /** bytes the client wrote before the exchange ended */
  written: number;
}

/**
 * node:http POST that keeps writing `total` bytes (in 64 KiB chunks, with or without a declared length) whatever
 * the server answers meanwhile, as a client uploading a large body does.
 */
export function upload(url: string, path: string, headers: Record<string, string>, total: number, declareLength = true): Promise<UploadResult> {
  const u = new URL(url);
  return new Promise((resolve) => {
    let written = 0;
    let result: Omit<UploadResult, 'written'> | undefined;
    let error: string | undefined;
    let settled = false;
    const finish = () => {
      if (settled) return;
      settled = true;
      resolve({ ...(result ?? { status: 0, headers: {}, body: '' }), error, written });
    };
    const agent = new http.Agent({ keepAlive: false });
    const req = http.request(
      {
        host: u.hostname,
        port: u.port,
        path,
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', ...(declareLength ? { 'content-length': String(total) } : {}), ...headers },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => {
          result = { status: res.statusCode ?? 0, headers: res.headers, body };
          // wait for the upload side to end too (an EPIPE arrives after the response)
          if (written >= total) setTimeout(finish, 200);
        });
      },
    );
    req.on('error', (e: NodeJS.ErrnoException) => {
      error = e.code ?? e.message;
      finish();
    });
    req.on('close', () => setTimeout(finish, 200));
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    const pump = () => {
      while (written < total) {
        written += chunk.length;
        if (!req.write(chunk)) {
          req.once('drain', pump);
          return;
        }
      }
      req.end();
    };
    pump();
  });
}

export interface RawExchange {
  /** what the server sent */
  text: string;
  /** ms from connecting until the server closed the connection (or the wait ended) */
  closedAfterMs: number;
  closed: boolean;
}

/**
 * A raw socket: connect, let `drive` write (it may trickle bytes over time), collect what comes back until the
 * server closes, `until` holds for what arrived, or `waitMs` passes.
 */
export function rawExchange(
  url: string,
  drive: (s: net.Socket) => void | Promise<void>,
  waitMs: number,
  until?: (text: string) => boolean,
): Promise<RawExchange> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const t0 = Date.now();
    const s = net.connect(Number(u.port), u.hostname);
    let text = '';
    let done = false;
    const end = (closed: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      s.destroy();
      resolve({ text, closedAfterMs: Date.now() - t0, closed });
    };
    const timer = setTimeout(() => end(false), waitMs);
    s.on('data', (d) => {
      text += d.toString('latin1');
      if (until?.(text)) end(false);
    });
    s.on('close', () => end(true));
    s.on('error', () => undefined);
    s.on('connect', () => void Promise.resolve(drive(s)).catch(() => undefined));
  });
}

/** The status line's code of a raw HTTP response (0 when none arrived). */
export function statusOf(raw: string): number {
  const m = /^HTTP\/1\.1 (\d{3})/.exec(raw);
  return m ? Number(m[1]) : 0;
}

/** The body of a raw, non-chunked HTTP response. */
export function bodyOf(raw: string): string {
  const i = raw.indexOf('\r\n\r\n');
  return i < 0 ? '' : raw.slice(i + 4);
}
