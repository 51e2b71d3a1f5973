import net from 'node:net';
import { fastify, type FastifyInstance } from 'fastify';
import { httpServerOptions } from './bootstrap';

/** Connects, writes what `send` writes, and resolves with what came back and when the server closed (ms). */
function exchange(port: number, send: (s: net.Socket) => void, waitMs: number): Promise<{ text: string; closedAfterMs: number | null }> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const s = net.connect(port, '127.0.0.1');
    let text = '';
    const timer = setTimeout(() => {
      s.destroy();
      resolve({ text, closedAfterMs: null });
    }, waitMs);
    s.on('data', (d) => (text += d.toString()));
    s.on('error', () => undefined);
    s.on('close', () => {
      clearTimeout(timer);
      resolve({ text, closedAfterMs: Date.now() - t0 });
    });
    s.on('connect', () => send(s));
  });
}

describe('httpServerOptions: the server cuts slow clients, never a long response', () => {
  let app: FastifyInstance;
  let port: number;
  beforeAll(async () => {
    app = fastify(httpServerOptions({ HTTP_HEADERS_TIMEOUT_MS: 600, HTTP_REQUEST_TIMEOUT_MS: 900, HTTP_KEEP_ALIVE_TIMEOUT_MS: 700 }));
    app.get('/quick', (_req, reply) => reply.send('ok'));
    // a response that takes three times the request timeout
    app.get('/slow', async (_req, reply) => {
      reply.raw.writeHead(200, { 'content-type': 'text/plain' });
      for (let i = 0; i < 6; i++) {
        reply.raw.write(`${i}\n`);
        await new Promise((r) => setTimeout(r, 450));
      }
      reply.raw.end('done\n');
      return reply;
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = (app.server.address() as net.AddressInfo).port;
  });
  afterAll(() => app.close());

  it('closes a connection whose headers never finish', async () => {
    const r = await exchange(port, (s) => s.write('GET /quick HTTP/1.1\r\nhost: x\r\nx-slow: '), 5000);
    expect(r.closedAfterMs).not.toBeNull();
    expect(r.closedAfterMs!).toBeLessThan(600 + 1500);
  });

  it('closes a connection whose body stalls', async () => {
    const r = await exchange(port, (s) => s.write('POST /quick HTTP/1.1\r\nhost: x\r\ncontent-type: text/plain\r\ncontent-length: 100\r\n\r\nabc'), 5000);
    expect(r.closedAfterMs).not.toBeNull();
    expect(r.closedAfterMs!).toBeLessThan(900 + 1500);
  });

  it('closes an idle keep-alive connection after the keep-alive timeout', async () => {
    const r = await exchange(port, (s) => s.write('GET /quick HTTP/1.1\r\nhost: x\r\n\r\n'), 5000);
    expect(r.text).toContain('200 OK');
    expect(r.closedAfterMs).not.toBeNull();
    expect(r.closedAfterMs!).toBeGreaterThanOrEqual(600);
    expect(r.closedAfterMs!).toBeLessThan(700 + 1500);
  });

  it('lets a response stream for longer than every timeout', async () => {
    const r = await exchange(port, (s) => s.write('GET /slow HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n'), 8000);
    expect(r.text).toContain('done');
    expect(r.closedAfterMs!).toBeGreaterThan(2500);
  });
});
