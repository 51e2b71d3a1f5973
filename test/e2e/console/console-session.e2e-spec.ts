import fs from 'node:fs';
import path from 'node:path';
import { startStandalone, type System } from '../../support/harness';

jest.setTimeout(120_000);

/** The console's side of the gateway, standalone: sign-in, the cookie on the admin API, CSRF, sign-out, pages, /docs. */
describe('admin console session and pages (standalone)', () => {
  let sys: System;
  beforeAll(async () => {
    sys = await startStandalone();
  });
  afterAll(() => sys?.stop());

  const signIn = async () => {
    const r = await fetch(`${sys.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ adminKey: sys.adminKey }),
    });
    expect(r.status).toBe(200);
    const setCookie = r.headers.get('set-cookie') ?? '';
    const body = (await r.json()) as { csrfToken: string; expiresAt: string };
    return { setCookie, cookie: setCookie.split(';')[0], ...body };
  };

  it('signs in with the admin key; the cookie is HttpOnly, SameSite=Lax, not Secure over plain http', async () => {
    const s = await signIn();
    expect(s.setCookie).toMatch(/^sb_session=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Lax$/);
    expect(new Date(s.expiresAt).getTime()).toBeGreaterThan(Date.now());
    const wrong = await fetch(`${sys.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ adminKey: 'nope' }),
    });
    expect([wrong.status, wrong.headers.get('set-cookie')]).toEqual([401, null]);
    const me = await fetch(`${sys.url}/api/session`, { headers: { cookie: s.cookie } });
    expect([me.status, ((await me.json()) as { csrfToken: string }).csrfToken]).toEqual([200, s.csrfToken]);
  });

  it('uses the admin API with the cookie; a write without the CSRF token is 403; sign-out makes the old cookie 401', async () => {
    const s = await signIn();
    const list = await fetch(`${sys.url}/api/channels`, { headers: { cookie: s.cookie } });
    expect(list.status).toBe(200);
    const channel = { name: 'via-console', type: 'openai', baseUrl: 'http://127.0.0.1:9', keys: ['sk-x'], models: ['m-console'] };
    const noCsrf = await fetch(`${sys.url}/api/channels`, {
      method: 'POST',
      headers: { cookie: s.cookie, 'content-type': 'application/json' },
      body: JSON.stringify(channel),
    });
    expect(noCsrf.status).toBe(403);
    const created = await fetch(`${sys.url}/api/channels`, {
      method: 'POST',
      headers: { cookie: s.cookie, 'x-csrf-token': s.csrfToken, 'content-type': 'application/json' },
      body: JSON.stringify(channel),
    });
    expect(created.status).toBe(201);
    const out = await fetch(`${sys.url}/api/session`, { method: 'DELETE', headers: { cookie: s.cookie, 'x-csrf-token': s.csrfToken } });
    expect(out.status).toBe(204);
    expect((await fetch(`${sys.url}/api/channels`, { headers: { cookie: s.cookie } })).status).toBe(401);
    expect((await fetch(`${sys.url}/api/session`, { headers: { cookie: s.cookie } })).status).toBe(401);
  });

  it('gives other origins no CORS grant, so their pages cannot use the cookie', async () => {
    const s = await signIn();
    const r = await fetch(`${sys.url}/api/channels`, { headers: { cookie: s.cookie, origin: 'https://evil.example' } });
    expect(r.headers.get('access-control-allow-origin')).toBeNull();
    expect(r.headers.get('access-control-allow-credentials')).toBeNull();
    const preflight = await fetch(`${sys.url}/api/channels`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'x-csrf-token' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers a deep link with the console page (or the 503 page of a build without it), with the security headers', async () => {
    const built = fs.existsSync(path.join(__dirname, '../../../dist/console/index.html'));
    const r = await fetch(`${sys.url}/logs?model=x`, { headers: { accept: 'text/html' } });
    expect(r.status).toBe(built ? 200 : 503);
    expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(r.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    expect(r.headers.get('x-frame-options')).toBe('DENY');
    expect((await fetch(`${sys.url}/no-such-page`)).status).toBe(404);
  });

  it('serves /docs as HTML to a browser and as JSON otherwise, /docs/openapi.json as JSON with the session routes', async () => {
    const html = await fetch(`${sys.url}/docs`, { headers: { accept: 'text/html' } });
    expect([html.status, html.headers.get('content-type')]).toEqual([200, 'text/html; charset=utf-8']);
    const bundle = await fetch(`${sys.url}/docs/assets/swagger-ui-bundle.js`);
    expect(bundle.status).toBe(200);
    const json = await fetch(`${sys.url}/docs`, { headers: { accept: 'application/json' } });
    expect(((await json.json()) as { openapi: string }).openapi).toBe('3.1.0');
    const doc = (await (await fetch(`${sys.url}/docs/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(doc.paths['/api/session']).sort()).toEqual(['delete', 'get', 'post']);
  });
});
