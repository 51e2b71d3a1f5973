import { startMockUpstream, type MockUpstream } from '@switchboard/testing';
import { adminClient, eventually, startStandalone, type System } from '../../support/harness';

jest.setTimeout(60_000);

/** SPEC §6 edge rules not covered elsewhere: MAX_BODY_BYTES → 413 in each protocol's shape; unpriced models. */
describe('edge rules (standalone)', () => {
  let mock: MockUpstream;
  let sys: System;
  let admin: ReturnType<typeof adminClient>;
  let unlimitedKey: string;
  let limitedKey: string;

  beforeAll(async () => {
    mock = await startMockUpstream();
    sys = await startStandalone({ MAX_BODY_BYTES: '4096' });
    admin = adminClient(sys.url, sys.adminKey);
    await admin.post('/api/channels', { name: 'edge', type: 'openai', baseUrl: mock.url, keys: ['k'], models: ['unpriced-model', 'gpt-4o-mini'] });
    unlimitedKey = String((await admin.post('/api/tokens', { name: 'unlimited' })).body.key);
    limitedKey = String((await admin.post('/api/tokens', { name: 'limited', quota: 5 })).body.key);
  });

  afterAll(async () => {
    await sys?.stop();
    await mock?.close();
  });

  const post = (path: string, headers: Record<string, string>, body: string) =>
    fetch(`${sys.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

  it('answers a body over MAX_BODY_BYTES with 413 in the inbound protocol shape, and keeps serving', async () => {
    const big = JSON.stringify({ model: 'gpt-4o-mini', max_tokens: 5, messages: [{ role: 'user', content: 'x'.repeat(8_000) }] });
    const oa = await post('/v1/chat/completions', { authorization: `Bearer ${unlimitedKey}` }, big);
    expect(oa.status).toBe(413);
    expect(oa.headers.get('x-request-id')).toBeTruthy();
    expect(((await oa.json()) as { error: { type: string } }).error.type).toBe('invalid_request_error');
    const an = await post('/v1/messages', { 'x-api-key': unlimitedKey, 'anthropic-version': '2023-06-01' }, big);
    expect(an.status).toBe(413);
    expect(await an.json()).toMatchObject({ type: 'error', error: { type: 'request_too_large' } });
    const ge = await post(
      '/v1beta/models/gpt-4o-mini:generateContent',
      { 'x-goog-api-key': unlimitedKey },
      JSON.stringify({ contents: [{ parts: [{ text: 'x'.repeat(8_000) }] }] }),
    );
    expect([400, 413]).toContain(ge.status);
    expect(await ge.json()).toMatchObject({ error: { status: 'INVALID_ARGUMENT' } });
    expect(mock.requests).toHaveLength(0);
    const ok = await post(
      '/v1/chat/completions',
      { authorization: `Bearer ${unlimitedKey}` },
      JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'small' }] }),
    );
    expect(ok.status).toBe(200);
  });

  it('refuses an unpriced model with 403 model_not_priced when quota or balance is limited, and runs it at cost 0 when both are unlimited', async () => {
    const body = JSON.stringify({ model: 'unpriced-model', messages: [{ role: 'user', content: 'hi' }] });
    const refused = await post('/v1/chat/completions', { authorization: `Bearer ${limitedKey}` }, body);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('model_not_priced');
    const free = await post('/v1/chat/completions', { authorization: `Bearer ${unlimitedKey}` }, body);
    expect(free.status).toBe(200);
    const id = free.headers.get('x-request-id')!;
    const log = await eventually(
      async () => {
        const r = await admin.get(`/api/logs/${id}`);
        return r.status === 200 ? r.body : null;
      },
      5_000,
      'the log of the unpriced request',
    );
    expect(log).toMatchObject({ model: 'unpriced-model', status: 200, cost: 0 });
  });
});
