import type { AppConfig } from '@switchboard/config';
import type { AuditEntry, PluginConfig as PluginRow } from '@switchboard/db';
import type { Bus } from '@switchboard/messaging';
import type { PluginConfigs } from './plugin-config.repository';
import { PluginConfigService } from './plugin-config.service';

function setup() {
  const rows = new Map<string, PluginRow>();
  const audits: AuditEntry[] = [];
  const repo: PluginConfigs = {
    all: async () => [...rows.values()],
    find: async (name) => rows.get(name) ?? null,
    put: async (name, config, audit) => {
      const row = { name, config: config as never, updatedAt: new Date() };
      rows.set(name, row);
      audits.push(audit(row));
      return row;
    },
  };
  const emitted: unknown[] = [];
  const bus = { emit: (s: string, e: unknown) => emitted.push([s, e]) } as unknown as Bus;
  const service = new PluginConfigService(repo, bus, { SECRET_KEY: 'ab'.repeat(32) } as AppConfig);
  return { service, rows, audits, emitted };
}

describe('PluginConfigService', () => {
  it('answers every plugin off with its defaults until configured', async () => {
    const { service } = setup();
    const list = await service.list();
    expect(list.map((p) => p.name)).toEqual(['cache', 'web-search', 'stream-fake', 'think-split']);
    expect(list.every((p) => !p.enabled)).toBe(true);
    expect(await service.get('cache')).toMatchObject({ enabled: false, ttlSeconds: 300, hitCostRatio: 0, models: null });
    expect(await setup().service.routed()).toEqual([]);
  });

  it('changes only the fields sent, audits it and tells the gateways', async () => {
    const { service, audits, emitted } = setup();
    await service.put('cache', { enabled: true, models: ['gpt-*'] }, 'admin');
    const after = await service.put('cache', { ttlSeconds: 60 }, 'admin');
    expect(after).toMatchObject({ enabled: true, models: ['gpt-*'], ttlSeconds: 60, maxEntries: 10_000 });
    expect(audits.map((a) => [a.action, a.entity, a.entityId])).toEqual([
      ['create', 'plugin', 'cache'],
      ['update', 'plugin', 'cache'],
    ]);
    expect(emitted).toHaveLength(2);
    expect(await service.routed()).toEqual([
      {
        name: 'cache',
        models: ['gpt-*'],
        groups: null,
        tokens: null,
        settings: { ttlSeconds: 60, maxEntries: 10_000, maxEntryBytes: 1024 * 1024, hitCostRatio: 0 },
      },
    ]);
  });

  it('refuses unknown plugins, unknown fields and bad values, naming the field', async () => {
    const { service } = setup();
    await expect(service.get('nope')).rejects.toMatchObject({ status: 404 });
    await expect(service.put('cache', { ttlSeconds: 0 }, 'admin')).rejects.toMatchObject({ status: 400, message: expect.stringContaining('ttlSeconds') });
    await expect(service.put('cache', { bogus: 1 }, 'admin')).rejects.toMatchObject({ status: 400 });
    await expect(service.put('think-split', { tag: '<b>' }, 'admin')).rejects.toMatchObject({ status: 400, message: expect.stringContaining('tag') });
  });

  it('seals secret settings, answers them masked, keeps them when the mask is sent back, and opens them for the gateways', async () => {
    const { service, rows, audits } = setup();
    const put = await service.put('web-search', { enabled: true, engine: 'brave', apiKey: 'brave-secret-key-123456' }, 'admin');
    expect(put.apiKey).not.toContain('secret-key');
    expect(JSON.stringify(rows.get('web-search')!.config)).not.toContain('brave-secret-key');
    expect(JSON.stringify(audits)).not.toContain('brave-secret-key');
    await service.put('web-search', { apiKey: put.apiKey, maxResults: 3 }, 'admin');
    const [routed] = await service.routed();
    expect(routed.settings).toMatchObject({ engine: 'brave', apiKey: 'brave-secret-key-123456', maxResults: 3 });
  });
});
