// Channels stored before headers/paramOverride were encrypted: the migration keeps their plain text in legacy
// columns and masks old audit snapshots; the router encrypts the legacy values at start. On real Postgres, from a
// database at the previous migration with such a channel in it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SecretBox } from '@switchboard/common';
import type { AppConfig } from '@switchboard/config';
import { migrate, openDatabase, resolveDbAssets } from '@switchboard/db';
import { LegacyChannelSecretsMigration } from '../../../apps/router/src/channels/legacy-channel-secrets.migration';
import { ChannelRepository } from '../../../apps/router/src/channels/channel.repository';
import { readChannelSecrets } from '../../../apps/router/src/channels/channel-secrets';
import { channelView } from '../../../apps/router/src/channels/channel.views';
import { createThrowawayDatabase, describePostgres } from '../db/harness';

jest.setTimeout(60_000);

const MIGRATION = 'encrypt_channel_headers_and_param_override';
const SECRET_KEY = '6f1d8b3e9a2c5f7d0b4e8a1c6f3d9b2e5a7c0f4d8b1e6a3c9f2d5b8e0a4c7f1d';

describePostgres('encrypting channel headers and paramOverride of existing rows', () => {
  it('migrates plain-text rows: legacy columns read meanwhile, encrypted at router start, audit snapshots masked', async () => {
    const tdb = await createThrowawayDatabase();
    // the migrations before this one, as a database that already holds channels would have them
    const all = resolveDbAssets().migrationsDir;
    const before = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-migrations-'));
    for (const entry of fs.readdirSync(all)) {
      if (entry.endsWith(MIGRATION)) continue;
      fs.cpSync(path.join(all, entry), path.join(before, entry), { recursive: true });
    }
    const db = await openDatabase({ databaseUrl: tdb.url, dataDir: os.tmpdir() });
    try {
      await migrate(db, { migrationsDir: before });
      await tdb.query(
        `INSERT INTO channels (name, type, "baseUrl", models, headers, "paramOverride", "updatedAt")
         VALUES ('old', 'openai', 'http://up', '{m}', '{"APP-Code":"APPCODE-1234567"}', '{"api_key":"sk-in-body-0000","temperature":0.2}', now()),
                ('plain', 'openai', 'http://up', '{m}', '{}', '{}', now())`,
      );
      await tdb.query(
        `INSERT INTO audit_logs (actor, action, entity, "entityId", before, after)
         VALUES ('admin', 'update', 'channel', '1', '{"name":"old","headers":{"APP-Code":"APPCODE-1234567"},"paramOverride":{"api_key":"sk-in-body-0000"}}',
                 '{"name":"old","headers":{"APP-Code":"APPCODE-7654321"},"paramOverride":{}}'),
                ('admin', 'create', 'token', '9', null, '{"headers":{"x":"kept: not a channel"}}')`,
      );

      await migrate(db);
      const prisma = db.prisma;
      const box = new SecretBox(SECRET_KEY);
      // before the router has started: read from the legacy columns
      const legacy = await prisma.channel.findUniqueOrThrow({ where: { name: 'old' }, include: { keys: true } });
      expect(readChannelSecrets(legacy, box)).toEqual({
        headers: { 'APP-Code': 'APPCODE-1234567' },
        paramOverride: { api_key: 'sk-in-body-0000', temperature: 0.2 },
      });
      expect(channelView(legacy, box)).toMatchObject({ headers: { 'APP-Code': 'APP…4567' }, paramOverride: { api_key: 'sk-…0000', temperature: '****' } });
      const [empty] = await tdb.query<{ headers: unknown; paramOverride: unknown }>(`SELECT headers, "paramOverride" FROM channels WHERE name = 'plain'`);
      expect(empty).toEqual({ headers: null, paramOverride: null });

      await new LegacyChannelSecretsMigration(new ChannelRepository(prisma), { SECRET_KEY } as AppConfig).onModuleInit();
      const [row] = await tdb.query<Record<string, string | null>>(
        `SELECT headers, "paramOverride", "headersCiphertext", "paramOverrideCiphertext" FROM channels WHERE name = 'old'`,
      );
      expect(row.headers).toBeNull();
      expect(row.paramOverride).toBeNull();
      expect(JSON.stringify(row)).not.toContain('APPCODE');
      expect(JSON.stringify(row)).not.toContain('sk-in-body');
      const encrypted = await prisma.channel.findUniqueOrThrow({ where: { name: 'old' } });
      expect(readChannelSecrets(encrypted, box)).toEqual({
        headers: { 'APP-Code': 'APPCODE-1234567' },
        paramOverride: { api_key: 'sk-in-body-0000', temperature: 0.2 },
      });

      const audit = await tdb.query<{ entity: string; before: unknown; after: unknown }>(`SELECT entity, before, after FROM audit_logs ORDER BY id`);
      expect(audit[0]).toEqual({
        entity: 'channel',
        before: { name: 'old', headers: { 'APP-Code': '****' }, paramOverride: { api_key: '****' } },
        after: { name: 'old', headers: { 'APP-Code': '****' }, paramOverride: {} },
      });
      expect(audit[1].after).toEqual({ headers: { x: 'kept: not a channel' } });
    } finally {
      await db.close();
      await tdb.drop();
      fs.rmSync(before, { recursive: true, force: true });
    }
  });
});
