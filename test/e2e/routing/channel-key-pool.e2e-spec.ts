import OpenAI from 'openai';
import { startMockUpstream, type MockUpstream } from '@switchboard/testing';
import { adminClient, eventually, startStandalone, type System } from '../../support/harness';

jest.setTimeout(120_000);

interface KeyView {
  id: number;
  label: string;
  masked: string;
  enabled: boolean;
  status: string;
  lastError: string | null;
}

/**
 * SPEC §8 key pools through the real HTTP API: batch add with duplicates reported, label, disable and delete one key;
 * routing follows at once (the mock upstream sees only the keys still enabled), keys never leave unmasked.
 */
describe('channel key pools (standalone)', () => {
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

  it('adds, labels, disables and deletes keys; requests use only the enabled ones; reads and audit stay masked', async () => {
    const admin = adminClient(sys.url, sys.adminKey);
    const created = await admin.post('/api/channels', {
      name: 'pool',
      type: 'openai',
      baseUrl: mock.url,
      keys: ['sk-pool-key-aaaa-0001'],
      models: ['gpt-4o-mini'],
      keyMode: 'round_robin',
    });
    expect(created.status).toBe(201);
    const id = Number(created.body.id);

    const added = await admin.post<{ added: KeyView[]; skipped: unknown[] }>(`/api/channels/${id}/keys`, {
      keys: ['sk-pool-key-bbbb-0002', 'sk-pool-key-aaaa-0001', 'sk-pool-key-cccc-0003'],
    });
    expect(added.status).toBe(201);
    expect(added.body.added.map((k) => k.masked)).toEqual(['sk-…0002', 'sk-…0003']);
    expect(added.body.skipped).toEqual([{ index: 1, masked: 'sk-…0001', reason: 'duplicate' }]);
    const empty = await admin.post(`/api/channels/${id}/keys`, { keys: [] });
    expect([empty.status, empty.body]).toEqual([400, { error: { code: 'invalid_request', field: 'keys', message: 'keys: at least one key' } }]);

    const list = await admin.get<{ data: KeyView[]; total: number }>(`/api/channels/${id}/keys`);
    expect(list.body.total).toBe(3);
    expect(list.body.data.map((k) => [k.masked, k.enabled, k.status, k.lastError])).toEqual([
      ['sk-…0001', true, 'ok', null],
      ['sk-…0002', true, 'ok', null],
      ['sk-…0003', true, 'ok', null],
    ]);
    const [a, b, c] = list.body.data;

    const tok = await admin.post('/api/tokens', { name: 'pool' });
    const openai = new OpenAI({ apiKey: String(tok.body.key), baseURL: `${sys.url}/v1`, maxRetries: 0 });
    const keysUsed = async (n: number) => {
      mock.reset();
      for (let i = 0; i < n; i++) await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
      return new Set(mock.requests.map((r) => r.headers.authorization));
    };
    await eventually(async () => (await keysUsed(6)).size === 3, 10_000, 'all three keys in use');

    const patched = await admin.patch<KeyView>(`/api/channels/${id}/keys/${a.id}`, { enabled: false, label: 'trial account' });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ id: a.id, label: 'trial account', enabled: false, masked: 'sk-…0001' });
    expect((await admin.del(`/api/channels/${id}/keys/${c.id}`)).body).toEqual({ deleted: true });
    // within the propagation bound, only key b is used, and the channel itself was not rewritten
    const only = await eventually(
      async () => {
        const used = await keysUsed(4);
        return used.size === 1 && used.has('Bearer sk-pool-key-bbbb-0002') && used;
      },
      5_000,
      'only the enabled key in use',
    );
    expect([...only]).toEqual(['Bearer sk-pool-key-bbbb-0002']);
    const channel = await admin.get(`/api/channels/${id}`);
    expect(channel.body).toMatchObject({ keyMode: 'round_robin', models: ['gpt-4o-mini'], keys: ['sk-…0001', 'sk-…0002'] });

    // bad input: unknown fields and ids, the last key
    expect((await admin.patch(`/api/channels/${id}/keys/${b.id}`, { key: 'sk-new' })).status).toBe(400);
    expect((await admin.patch(`/api/channels/${id}/keys/999999`, { enabled: true })).status).toBe(404);
    expect((await admin.del(`/api/channels/${id}/keys/${c.id}`)).status).toBe(404);
    expect((await admin.del(`/api/channels/${id}/keys/${a.id}`)).status).toBe(200);
    const last = await admin.del<{ error: { field: string; message: string } }>(`/api/channels/${id}/keys/${b.id}`);
    expect([last.status, last.body.error]).toEqual([400, expect.objectContaining({ field: 'keys', message: expect.stringMatching(/^keys: /) })]);

    // PATCH /api/channels/:id with keys still replaces the pool (SPEC §5)
    await admin.patch(`/api/channels/${id}`, { keys: ['sk-pool-key-dddd-0004'] });
    expect((await admin.get<{ data: KeyView[] }>(`/api/channels/${id}/keys`)).body.data.map((k) => k.masked)).toEqual(['sk-…0004']);

    // every key change is audited, masked
    const audit = await admin.get<{ data: { entity: string; entityId: string; action: string }[] }>(`/api/audit?limit=50`);
    const mine = audit.body.data.filter((e) => e.entity === 'channel' && e.entityId === String(id));
    expect(mine.length).toBeGreaterThanOrEqual(6);
    expect(JSON.stringify(audit.body)).not.toMatch(/sk-pool-key/);
    expect(JSON.stringify((await admin.get(`/api/channels/${id}/keys`)).body)).not.toMatch(/sk-pool-key/);
  });
});
