import { adminClient, startStandalone, type System } from '../../support/harness';

jest.setTimeout(120_000);

/** `/api/plugins` (SPEC §8): each relay plugin's scope and settings, validated, audited, secrets masked. */
describe('plugin configuration API (standalone)', () => {
  let sys: System;

  beforeAll(async () => {
    sys = await startStandalone();
  });
  afterAll(async () => {
    await sys?.stop();
  });

  it('lists every plugin off, configures one field at a time, refuses bad input and audits the change', async () => {
    const admin = adminClient(sys.url, sys.adminKey);
    const list = await admin.get<{ data: { name: string; enabled: boolean }[] }>('/api/plugins');
    expect(list.status).toBe(200);
    expect(list.body.data.map((p) => [p.name, p.enabled])).toEqual([
      ['cache', false],
      ['web-search', false],
      ['stream-fake', false],
      ['think-split', false],
    ]);

    const put = await admin.put('/api/plugins/cache', { enabled: true, models: ['gpt-*'], groups: ['default'], hitCostRatio: 0.5 });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ name: 'cache', enabled: true, models: ['gpt-*'], groups: ['default'], tokens: null, hitCostRatio: 0.5, ttlSeconds: 300 });
    expect((await admin.get('/api/plugins/cache')).body).toMatchObject({ enabled: true, hitCostRatio: 0.5 });

    const bad = await admin.put<{ error: { message: string } }>('/api/plugins/cache', { hitCostRatio: 2 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('hitCostRatio');
    expect((await admin.put('/api/plugins/cache', { nope: true })).status).toBe(400);
    expect((await admin.get('/api/plugins/nope')).status).toBe(404);
    expect((await admin.put('/api/plugins/nope', { enabled: true })).status).toBe(404);

    const search = await admin.put('/api/plugins/web-search', { enabled: true, engine: 'brave', apiKey: 'brave-api-key-0123456789' });
    expect(search.status).toBe(200);
    expect(JSON.stringify(search.body)).not.toContain('api-key-0123456789');

    const audit = await admin.get<{ data: { entity: string; entityId: string; after: unknown }[] }>('/api/audit?entity=plugin');
    expect(audit.status).toBe(200);
    expect(audit.body.data.map((a) => a.entityId).sort()).toEqual(['cache', 'web-search']);
    expect(JSON.stringify(audit.body)).not.toContain('api-key-0123456789');
  });
});
