import { ApiError, buildUrl, createAdminClient } from './admin-client';
import { createSessionApi } from './session.api';

function fakeFetch(status: number, body: unknown) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fn = (async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    return new Response(typeof body === 'string' ? body : JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  }) as unknown as typeof fetch;
  return { fn, calls };
}

describe('buildUrl', () => {
  it('fills the path parameter, encoded, and drops empty query values', () => {
    expect(buildUrl('/api/channels/:id/test', { id: 'a/b' }, { days: 7, empty: '', none: undefined })).toBe('/api/channels/a%2Fb/test?days=7');
  });
  it('refuses a missing path parameter rather than calling /api/channels/undefined', () => {
    expect(() => buildUrl('/api/channels/:id', {})).toThrow('missing path parameter id');
  });
});

describe('createAdminClient', () => {
  it('sends the route table method and path with the CSRF token on a write, and parses the answer', async () => {
    const f = fakeFetch(200, { ok: true, status: 200, responseTimeMs: 12, error: null, model: 'gpt-4o-mini' });
    const api = createAdminClient({ fetch: f.fn, csrfToken: () => 'tok', onUnauthorized: () => undefined });
    const r = await api('channels.test', { params: { id: '3' }, body: {} });
    expect(r.ok).toBe(true);
    expect(f.calls[0].url).toBe('/api/channels/3/test');
    expect(f.calls[0].init.method).toBe('POST');
    expect(f.calls[0].init.credentials).toBe('same-origin');
    expect((f.calls[0].init.headers as Record<string, string>)['x-csrf-token']).toBe('tok');
  });

  it('does not send the CSRF token on a GET', async () => {
    const f = fakeFetch(200, { days: 7, totals: {}, byDay: [] });
    const api = createAdminClient({ fetch: f.fn, csrfToken: () => 'tok', onUnauthorized: () => undefined });
    await api('stats.get', { query: { days: 7 } });
    expect(f.calls[0].url).toBe('/api/stats?days=7');
    expect(f.calls[0].init.method).toBe('GET');
    expect((f.calls[0].init.headers as Record<string, string>)['x-csrf-token']).toBeUndefined();
  });

  it('turns the gateway error body into an ApiError and reports a 401 as the end of the session', async () => {
    const f = fakeFetch(401, { error: { code: 'unauthorized', message: 'session expired' } });
    let ended = 0;
    const api = createAdminClient({ fetch: f.fn, csrfToken: () => null, onUnauthorized: () => ended++ });
    const err = await api('channels.list').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 401, code: 'unauthorized', message: 'session expired' });
    expect(ended).toBe(1);
  });

  it('keeps the status line as the message when the error body is not JSON', async () => {
    const f = fakeFetch(502, 'bad gateway');
    const api = createAdminClient({ fetch: f.fn, csrfToken: () => null, onUnauthorized: () => undefined });
    await expect(api('channels.list')).rejects.toMatchObject({ status: 502, code: 'http_error' });
  });
});

describe('createSessionApi', () => {
  it('posts the admin key once and returns the CSRF token; a refusal carries the gateway message', async () => {
    const ok = fakeFetch(200, { csrfToken: 'c1', expiresAt: '2026-12-07T00:00:00.000Z' });
    await expect(createSessionApi(ok.fn).signIn({ adminKey: 'k' })).resolves.toEqual({ csrfToken: 'c1', expiresAt: '2026-12-07T00:00:00.000Z' });
    expect(ok.calls[0]).toMatchObject({ url: '/api/session', init: { method: 'POST', body: JSON.stringify({ adminKey: 'k' }) } });
    const refused = fakeFetch(401, { error: { code: 'unauthorized', message: 'invalid admin key' } });
    await expect(createSessionApi(refused.fn).signIn({ adminKey: 'bad' })).rejects.toMatchObject({ status: 401, message: 'invalid admin key' });
  });

  it('reads a 401 from GET /api/session as signed out, and signs out with the CSRF token', async () => {
    expect(await createSessionApi(fakeFetch(401, {}).fn).current()).toBeNull();
    expect(await createSessionApi(fakeFetch(200, { csrfToken: 'c2' }).fn).current()).toEqual({ csrfToken: 'c2' });
    const out = fakeFetch(200, {});
    await createSessionApi(out.fn).signOut('c3');
    expect(out.calls[0].init).toMatchObject({ method: 'DELETE', headers: { 'x-csrf-token': 'c3' } });
  });

  it('changes the password with the CSRF token and answers the new session; a refusal keeps its code', async () => {
    const ok = fakeFetch(200, { csrfToken: 'c4', expiresAt: '2026-12-07T00:00:00.000Z', user: { id: 3, name: 'paula', role: 'user' } });
    await expect(createSessionApi(ok.fn).changePassword('c3', { currentPassword: 'old-password', newPassword: 'new-password' })).resolves.toMatchObject({
      csrfToken: 'c4',
    });
    expect(ok.calls[0]).toMatchObject({
      url: '/api/me/password',
      init: { method: 'POST', headers: { 'x-csrf-token': 'c3' }, body: JSON.stringify({ currentPassword: 'old-password', newPassword: 'new-password' }) },
    });
    const refused = fakeFetch(400, { error: { code: 'invalid_credentials', message: 'currentPassword: not your current password' } });
    await expect(createSessionApi(refused.fn).changePassword('c3', { newPassword: 'new-password' })).rejects.toMatchObject({
      status: 400,
      code: 'invalid_credentials',
    });
  });

  it('signs out everywhere with the CSRF token; a refusal is thrown', async () => {
    const ok = fakeFetch(200, { revoked: true });
    await createSessionApi(ok.fn).signOutEverywhere('c5');
    expect(ok.calls[0]).toMatchObject({ url: '/api/me/sessions/revoke', init: { method: 'POST', headers: { 'x-csrf-token': 'c5' } } });
    await expect(createSessionApi(fakeFetch(403, { error: { code: 'forbidden', message: 'csrf' } }).fn).signOutEverywhere(null)).rejects.toMatchObject({
      status: 403,
    });
  });
});
