import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AppConfig } from '@switchboard/config';
import { RelayAbort, UpstreamClient, classifyUpstreamError } from './upstream.client';
import { UpstreamResponse, UpstreamResponseTooLargeError } from './upstream-response';

/** A local upstream whose behaviour each test sets; records how each request's connection ended. */
function upstream() {
  let handler: (req: http.IncomingMessage, res: http.ServerResponse) => void = (_req, res) => res.end('{}');
  const closed: Promise<void>[] = [];
  const server = http.createServer((req, res) => {
    closed.push(new Promise((r) => res.on('close', () => r())));
    handler(req, res);
  });
  return {
    closed,
    on(h: typeof handler) {
      handler = h;
    },
    async start(): Promise<string> {
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/x`;
    },
    stop: () => {
      server.closeAllConnections();
      return new Promise((r) => server.close(r));
    },
  };
}

const config = { UPSTREAM_CONNECT_TIMEOUT_MS: 1_000, UPSTREAM_FIRST_BYTE_TIMEOUT_MS: 5_000, UPSTREAM_IDLE_TIMEOUT_MS: 5_000 } as AppConfig;
const timeouts = { connectMs: 1_000, firstByteMs: 5_000, idleMs: 5_000 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function collect(res: UpstreamResponse): Promise<string> {
  let out = '';
  for await (const c of res) out += c.toString('utf8');
  return out;
}

describe('UpstreamClient (undici dispatch, against a local upstream)', () => {
  const up = upstream();
  let url: string;
  let client: UpstreamClient;

  beforeAll(async () => {
    url = await up.start();
  });
  beforeEach(() => {
    client = new UpstreamClient(config);
  });
  afterEach(() => client.onApplicationShutdown());
  afterAll(() => up.stop());

  it('sends the body and headers; answers status, headers and the whole body', async () => {
    let seen = { body: '', type: '' };
    up.on((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        seen = { body, type: String(req.headers['content-type']) };
        res.writeHead(429, { 'retry-after': '7', 'x-multi': 'a' });
        res.write('{"part":');
        setTimeout(() => res.end('1}'), 20);
      });
    });
    const res = await client.send(url, { 'content-type': 'application/json' }, Buffer.from('{"q":1}'), timeouts, new RelayAbort());
    expect(res.statusCode).toBe(429);
    expect(res.header('retry-after')).toBe('7');
    expect(res.header('x-absent')).toBeUndefined();
    expect((await res.bytes()).toString()).toBe('{"part":1}');
    expect(seen).toEqual({ body: '{"q":1}', type: 'application/json' });
  });

  it('relays a body chunk by chunk', async () => {
    up.on((_req, res) => {
      res.writeHead(200);
      res.write('a');
      setTimeout(() => res.write('b'), 10);
      setTimeout(() => res.end('c'), 20);
    });
    const res = await client.send(url, {}, '{}', timeouts, new RelayAbort());
    expect(await collect(res)).toBe('abc');
  });

  it('a refused connection rejects with undici\'s error (classified "connect")', async () => {
    const dead = upstream();
    const deadUrl = await dead.start();
    await dead.stop();
    const e = await client.send(deadUrl, {}, '{}', timeouts, new RelayAbort()).catch((err: unknown) => err);
    expect(classifyUpstreamError(e)).toBe('connect');
  });

  it('no headers within the first-byte timeout: rejects as timeout_first_byte', async () => {
    up.on(() => undefined);
    const e = await client.send(url, {}, '{}', { ...timeouts, firstByteMs: 100 }, new RelayAbort()).catch((err: unknown) => err);
    expect((e as { code: string }).code).toBe('UND_ERR_HEADERS_TIMEOUT');
    expect(classifyUpstreamError(e)).toBe('timeout_first_byte');
  });

  it('an idle gap in the body longer than the idle timeout fails the read as timeout_idle, after what came before', async () => {
    up.on((_req, res) => {
      res.writeHead(200);
      res.write('first');
    });
    const res = await client.send(url, {}, '{}', { ...timeouts, idleMs: 150 }, new RelayAbort());
    const got: string[] = [];
    const e = await (async () => {
      for await (const c of res) got.push(c.toString());
    })().catch((err: unknown) => err);
    expect(got).toEqual(['first']);
    expect(classifyUpstreamError(e)).toBe('timeout_idle');
  });

  it('an upstream that drops the connection mid-body fails the read (network)', async () => {
    up.on((_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('partial');
      setTimeout(() => res.destroy(), 20);
    });
    const res = await client.send(url, {}, '{}', timeouts, new RelayAbort());
    const e = await res.bytes().catch((err: unknown) => err);
    expect(e).toBeInstanceOf(Error);
    expect(classifyUpstreamError(e)).toBe('network');
  });

  it('cancelled before the headers: rejects with the reason, and the upstream sees the connection close', async () => {
    up.on(() => undefined);
    const abort = new RelayAbort();
    const reason = new Error('client closed the connection');
    const sent = client.send(url, {}, '{}', timeouts, abort);
    await sleep(50);
    abort.abort(reason);
    await expect(sent).rejects.toBe(reason);
    await up.closed[up.closed.length - 1];
    expect(abort.listenerCount('abort')).toBe(0);
  });

  it('cancelled already: rejects with the reason', async () => {
    const abort = new RelayAbort();
    const reason = new Error('the gateway is shutting down');
    abort.abort(reason);
    await expect(client.send(url, {}, '{}', timeouts, abort)).rejects.toBe(reason);
  });

  it('cancelled mid-body: the read fails with the reason, and the upstream sees the connection close', async () => {
    up.on((_req, res) => {
      res.writeHead(200);
      res.write('first');
    });
    const abort = new RelayAbort();
    const reason = new Error('client closed the connection');
    const res = await client.send(url, {}, '{}', timeouts, abort);
    const got: string[] = [];
    const reading = (async () => {
      for await (const c of res) {
        got.push(c.toString());
        abort.abort(reason);
      }
    })();
    await expect(reading).rejects.toBe(reason);
    expect(got).toEqual(['first']);
    await up.closed[up.closed.length - 1];
    expect(abort.listenerCount('abort')).toBe(0);
  });

  it('text(max) reads at most max bytes and aborts the rest', async () => {
    up.on((_req, res) => {
      res.writeHead(500);
      res.write('x'.repeat(40_000));
      res.write('y'.repeat(40_000)); // never ends: only the abort closes it
    });
    const res = await client.send(url, {}, '{}', timeouts, new RelayAbort());
    const text = await res.text(50_000);
    expect(text).toBe('x'.repeat(40_000) + 'y'.repeat(10_000));
    await up.closed[up.closed.length - 1];
  });

  it('leaving the read loop early aborts the upstream request', async () => {
    up.on((_req, res) => {
      res.writeHead(200);
      res.write('first'); // never ends
    });
    const abort = new RelayAbort();
    const res = await client.send(url, {}, '{}', timeouts, abort);
    for await (const _ of res) break;
    await up.closed[up.closed.length - 1];
    expect(abort.listenerCount('abort')).toBe(0);
  });

  it('stops listening to the signal once the body is read to its end', async () => {
    up.on((_req, res) => res.end('{"ok":true}'));
    const abort = new RelayAbort();
    const res = await client.send(url, {}, '{}', timeouts, abort);
    expect(abort.listenerCount('abort')).toBe(1);
    await res.bytes();
    expect(abort.listenerCount('abort')).toBe(0);
  });
});

describe('UpstreamResponse (the handler contract with undici)', () => {
  const headers = (r: UpstreamResponse, resume: () => void = () => undefined) => r.onHeaders(200, [Buffer.from('Retry-After'), Buffer.from('3')], resume);

  it('pauses the socket when 64 KiB are unread, resumes once the reader catches up', async () => {
    const r = new UpstreamResponse(null);
    r.onConnect(() => undefined);
    let resumed = 0;
    headers(r, () => resumed++);
    expect(r.onData(Buffer.alloc(32 * 1024))).toBe(true);
    expect(r.onData(Buffer.alloc(32 * 1024))).toBe(false); // paused
    const it = r[Symbol.asyncIterator]();
    await it.next();
    expect(resumed).toBe(1);
    r.onComplete();
    expect((await it.next()).done).toBe(false);
    expect((await it.next()).done).toBe(true);
  });

  it('bytes() never pauses the socket', async () => {
    const r = new UpstreamResponse(null);
    r.onConnect(() => undefined);
    headers(r);
    const whole = r.bytes();
    expect(r.onData(Buffer.alloc(100 * 1024))).toBe(true);
    r.onComplete();
    expect((await whole).length).toBe(100 * 1024);
  });

  it('a cancel after the upstream completed but before the reader got everything still fails the read', async () => {
    const abort = new RelayAbort();
    const r = new UpstreamResponse(abort);
    r.onConnect(() => undefined);
    headers(r);
    r.onData(Buffer.from('a'));
    r.onComplete();
    const reason = new Error('client closed the connection');
    abort.abort(reason);
    await expect(collectAll(r)).rejects.toBe(reason);
  });

  it('an error drops what was not read yet', async () => {
    const r = new UpstreamResponse(null);
    r.onConnect(() => undefined);
    headers(r);
    r.onData(Buffer.from('unread'));
    const err = Object.assign(new Error('Body Timeout Error'), { code: 'UND_ERR_BODY_TIMEOUT' });
    r.onError(err);
    await expect(collectAll(r)).rejects.toBe(err);
  });

  it('the body is read once', async () => {
    const r = new UpstreamResponse(null);
    headers(r);
    r.onComplete();
    await r.bytes();
    await expect(r.bytes()).rejects.toThrow('already read');
  });

  it('bytes(max): a body past the limit fails as too large and aborts the call; one within it is whole', async () => {
    const big = new UpstreamResponse(null);
    const aborted: unknown[] = [];
    big.onConnect((e) => aborted.push(e ?? 'aborted'));
    headers(big);
    const read = big.bytes(10);
    big.onData(Buffer.from('123456'));
    big.onData(Buffer.from('7890a'));
    const err = await read.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamResponseTooLargeError);
    expect(classifyUpstreamError(err)).toBe('too_large');
    expect(aborted).toHaveLength(1);

    // Already past the limit before the reader came: fails at once.
    const early = new UpstreamResponse(null);
    early.onConnect(() => undefined);
    headers(early);
    early.onData(Buffer.from('x'.repeat(20)));
    await expect(early.bytes(10)).rejects.toBeInstanceOf(UpstreamResponseTooLargeError);

    const fits = new UpstreamResponse(null);
    headers(fits);
    const whole = fits.bytes(10);
    fits.onData(Buffer.from('0123456789'));
    fits.onComplete();
    expect((await whole).toString()).toBe('0123456789');
  });

  it('finds a header by lower-case name', () => {
    const r = new UpstreamResponse(null);
    headers(r);
    expect(r.header('retry-after')).toBe('3');
  });
});

async function collectAll(r: UpstreamResponse): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const c of r) out.push(c);
  return out;
}
