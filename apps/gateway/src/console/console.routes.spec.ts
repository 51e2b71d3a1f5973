import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import Fastify, { type FastifyInstance } from 'fastify';
import { CONSOLE_PAGES, defaultConsoleDir, registerConsoleRoutes } from './console.routes';

function fakeConsole(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-console-'));
  fs.mkdirSync(path.join(dir, 'assets'));
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><div id="root"></div><script type="module" src="/assets/index-abc123.js"></script>');
  fs.writeFileSync(path.join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
  fs.writeFileSync(path.join(dir, 'assets', 'index-abc123.css'), 'body{}');
  fs.writeFileSync(path.join(dir, 'assets', 'logo-1.svg'), '<svg/>');
  fs.writeFileSync(path.join(dir, 'assets', 'index-abc123.js.br'), zlib.brotliCompressSync('console.log(1)'));
  fs.writeFileSync(path.join(dir, 'assets', 'index-abc123.js.gz'), zlib.gzipSync('console.log(1)'));
  fs.writeFileSync(path.join(dir, 'secret.txt'), 'not an asset');
  return dir;
}

async function gateway(dir: string): Promise<FastifyInstance> {
  const f = Fastify();
  // stands for the routes the gateway has besides the console's
  f.get('/api/status', () => ({ ok: true }));
  f.setNotFoundHandler((_req, reply) => reply.status(404).send({ error: { code: 'not_found' } }));
  registerConsoleRoutes(f, dir);
  await f.ready();
  return f;
}

describe('the console routes', () => {
  let dir: string;
  let f: FastifyInstance;
  beforeAll(async () => {
    dir = fakeConsole();
    f = await gateway(dir);
  });
  afterAll(async () => {
    await f.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('serve index.html for /, every page of SPEC §8, their sub-paths and query strings, with the security headers', async () => {
    const urls = ['/', ...CONSOLE_PAGES.map((p) => `/${p}`), '/channels/12', '/logs?model=x&status=500', '/settings/', '/users/7/tokens'];
    for (const url of urls) {
      const r = await f.inject({ url, headers: { accept: 'text/html' } });
      expect([url, r.statusCode, r.headers['content-type']]).toEqual([url, 200, 'text/html; charset=utf-8']);
      expect(r.body).toContain('<div id="root">');
      expect(r.headers['cache-control']).toBe('no-cache');
      expect(r.headers['content-security-policy']).toMatch(/default-src 'self'; script-src 'self';/);
      expect(r.headers['content-security-policy']).not.toMatch(/script-src[^;]*unsafe-inline/);
      expect(r.headers['x-content-type-options']).toBe('nosniff');
      expect(r.headers['referrer-policy']).toBe('same-origin');
      expect(r.headers['x-frame-options']).toBe('DENY');
    }
  });

  it('serve the precompressed copy a browser accepts (brotli first, then gzip), else the file itself', async () => {
    const br = await f.inject({ url: '/assets/index-abc123.js', headers: { 'accept-encoding': 'gzip, deflate, br, zstd' } });
    expect([br.headers['content-encoding'], br.headers['content-type'], br.headers.vary]).toEqual(['br', 'text/javascript; charset=utf-8', 'accept-encoding']);
    expect(zlib.brotliDecompressSync(br.rawPayload).toString()).toBe('console.log(1)');
    const gz = await f.inject({ url: '/assets/index-abc123.js', headers: { 'accept-encoding': 'gzip, br;q=0' } });
    expect([gz.headers['content-encoding'], zlib.gunzipSync(gz.rawPayload).toString()]).toEqual(['gzip', 'console.log(1)']);
    const plain = await f.inject({ url: '/assets/index-abc123.js', headers: { 'accept-encoding': 'identity' } });
    expect([plain.headers['content-encoding'], plain.body]).toEqual([undefined, 'console.log(1)']);
    // a file without copies goes out as it is, whatever the browser accepts
    const css = await f.inject({ url: '/assets/index-abc123.css', headers: { 'accept-encoding': 'br' } });
    expect([css.headers['content-encoding'], css.body]).toEqual([undefined, 'body{}']);
    // the copies are not addressable on their own as something else
    expect((await f.inject({ url: '/assets/index-abc123.js.br' })).headers['content-type']).toBe('application/octet-stream');
  });

  it('serve hashed assets with their content types and a year of immutable caching', async () => {
    const js = await f.inject({ url: '/assets/index-abc123.js' });
    expect([js.statusCode, js.headers['content-type'], js.body]).toEqual([200, 'text/javascript; charset=utf-8', 'console.log(1)']);
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await f.inject({ url: '/assets/index-abc123.css' })).headers['content-type']).toBe('text/css; charset=utf-8');
    expect((await f.inject({ url: '/assets/logo-1.svg' })).headers['content-type']).toBe('image/svg+xml');
  });

  it('leave every other path to its handler or to the 404, and never leave the directory', async () => {
    expect((await f.inject({ url: '/api/status' })).json()).toEqual({ ok: true });
    for (const url of [
      '/nope',
      '/dashboards',
      '/assets/missing.js',
      '/assets/../secret.txt',
      '/assets/%2e%2e/secret.txt',
      '/assets/..%2fsecret.txt',
      '/assets/',
      '/index.html',
    ]) {
      const r = await f.inject({ url });
      expect([url, r.statusCode]).toEqual([url, 404]);
      expect(r.body).not.toContain('not an asset');
    }
    expect((await f.inject({ method: 'POST', url: '/dashboard' })).statusCode).toBe(404);
  });

  it('answer 503 saying the console is not built when index.html is missing (HTML for browsers, JSON otherwise)', async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-console-empty-'));
    const g = await gateway(path.join(empty, 'console'));
    try {
      const html = await g.inject({ url: '/', headers: { accept: 'text/html,application/xhtml+xml' } });
      expect([html.statusCode, html.headers['content-type']]).toEqual([503, 'text/html; charset=utf-8']);
      expect(html.body).toContain('The admin console is not built');
      const json = await g.inject({ url: '/logs', headers: { accept: 'application/json' } });
      expect([json.statusCode, json.json<{ error: { code: string } }>().error.code]).toEqual([503, 'console_not_built']);
      expect((await g.inject({ url: '/assets/index.js' })).statusCode).toBe(404);
    } finally {
      await g.close();
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });

  it('look for the build in dist/console', () => {
    expect(defaultConsoleDir('/app/dist/apps/gateway/src/console')).toBe('/app/dist/console');
    expect(defaultConsoleDir('/repo/apps/gateway/src/console')).toBe('/repo/dist/console');
  });
});
