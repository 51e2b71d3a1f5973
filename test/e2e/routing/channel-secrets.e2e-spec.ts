import OpenAI from 'openai';
import { startMockUpstream, type MockUpstream } from '@switchboard/testing';
import { adminClient, eventually, startStandalone, type System } from '../../support/harness';

jest.setTimeout(120_000);

/**
 * Channel headers and paramOverride hold secrets (APP-Code, credentials in the body): masked in every admin read and
 * audit snapshot (names visible), real in the upstream request; a masked value sent back on update keeps the secret.
 */
describe('channel headers and paramOverride are secrets (standalone)', () => {
  let mock: MockUpstream;
  let sys: System;

  beforeAll(async () => {
    mock = await startMockUpstream();
    sys = await startStandalone();
  });
  afterAll(async () => {
    await sys?.stop();
    await mock?.close();
  });

  it('masks them in reads and audit, sends the real values upstream, and keeps a value sent back masked', async () => {
    const admin = adminClient(sys.url, sys.adminKey);
    const created = await admin.post('/api/channels', {
      name: 'with-secrets',
      type: 'openai',
      baseUrl: mock.url,
      keys: ['sk-upstream-1'],
      models: ['gpt-4o-mini'],
      headers: { 'APP-Code': 'APPCODE-SECRET-9876' },
      paramOverride: { user: 'override-secret-user-1111' },
    });
    expect(created.status).toBe(201);
    const masked = { headers: { 'APP-Code': 'APP…9876' }, paramOverride: { user: 'ove…1111' } };
    expect(created.body).toMatchObject(masked);
    const id = Number(created.body.id);
    expect((await admin.get(`/api/channels/${id}`)).body).toMatchObject(masked);
    const list = await admin.get<{ data: Record<string, unknown>[] }>('/api/channels');
    expect(list.body.data.find((c) => c.id === id)).toMatchObject(masked);

    const tok = await admin.post('/api/tokens', { name: 'secrets' });
    const openai = new OpenAI({ apiKey: String(tok.body.key), baseURL: `${sys.url}/v1`, maxRetries: 0 });
    const send = async () => {
      mock.reset();
      await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
      return mock.requests[0];
    };
    const first = await send();
    expect(first.headers['app-code']).toBe('APPCODE-SECRET-9876');
    expect((first.body as Record<string, unknown>).user).toBe('override-secret-user-1111');

    // the console sends the headers back as it read them, plus a new one
    const updated = await admin.patch(`/api/channels/${id}`, { headers: { 'APP-Code': 'APP…9876', 'X-Tenant': 'tenant-value-42' } });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ headers: { 'APP-Code': 'APP…9876', 'X-Tenant': 'ten…e-42' } });
    const second = await eventually(
      async () => {
        const r = await send();
        return r.headers['x-tenant'] ? r : null;
      },
      5_000,
      'the updated routing table',
    );
    expect(second.headers['app-code']).toBe('APPCODE-SECRET-9876');
    expect(second.headers['x-tenant']).toBe('tenant-value-42');

    const audit = await admin.get<{ data: { action: string; before: Record<string, unknown> | null; after: Record<string, unknown> | null }[] }>(
      `/api/audit?entity=channel&entityId=${id}`,
    );
    expect(audit.body.data.map((a) => a.action).sort()).toEqual(['create', 'update']);
    const text = JSON.stringify(audit.body);
    for (const secret of ['APPCODE-SECRET-9876', 'override-secret-user-1111', 'tenant-value-42']) expect(text).not.toContain(secret);
    const update = audit.body.data.find((a) => a.action === 'update')!;
    expect(update.before).toMatchObject({ headers: { 'APP-Code': 'APP…9876' } });
    expect(update.after).toMatchObject({ headers: { 'APP-Code': 'APP…9876', 'X-Tenant': 'ten…e-42' } });
  });
});
