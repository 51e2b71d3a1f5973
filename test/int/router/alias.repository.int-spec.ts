import os from 'node:os';
import { openDatabase, type Database, type PrismaService } from '@switchboard/db';
import { AliasRepository } from '../../../apps/router/src/channels/alias.repository';
import { createThrowawayDatabase, describePostgres, type ThrowawayDatabase } from '../db/harness';

jest.setTimeout(60_000);

/** The admin API's alias writes on real Postgres: each commits with its audit record, or neither does. */
describePostgres('AliasRepository on Postgres', () => {
  let tdb: ThrowawayDatabase;
  let db: Database;
  let prisma: PrismaService;
  let repo: AliasRepository;

  beforeAll(async () => {
    tdb = await createThrowawayDatabase();
    db = await openDatabase({ databaseUrl: tdb.url, dataDir: os.tmpdir(), migrate: true, seed: true });
    prisma = db.prisma;
    repo = new AliasRepository(prisma);
  });

  afterAll(async () => {
    await db?.close();
    await tdb?.drop();
  });

  it('creates, lists by name, updates and deletes, each with its audit record', async () => {
    await repo.create({ name: 'zeta', targets: [{ model: 'm' }] }, (a) => ({ actor: 't', action: 'create', entity: 'alias', entityId: a.name, after: a }));
    await repo.create({ name: 'alpha', targets: [{ model: 'm' }] }, (a) => ({ actor: 't', action: 'create', entity: 'alias', entityId: a.name }));
    expect((await repo.list()).map((a) => a.name)).toEqual(['alpha', 'zeta']);
    const updated = await repo.update('zeta', { fallbacks: ['alpha'] }, (a) => ({ actor: 't', action: 'update', entity: 'alias', entityId: a.name, after: a }));
    expect(updated.fallbacks).toEqual(['alpha']);
    await repo.delete('zeta', { actor: 't', action: 'delete', entity: 'alias', entityId: 'zeta' });
    expect(await repo.byName('zeta')).toBeNull();
    expect(await repo.byName('alpha')).toMatchObject({ name: 'alpha', fallbacks: [] });
    const audits = await prisma.auditLog.findMany({ where: { entity: 'alias', entityId: 'zeta' }, orderBy: { id: 'asc' } });
    expect(audits.map((a) => a.action)).toEqual(['create', 'update', 'delete']);
    expect(audits[1].after).toMatchObject({ fallbacks: ['alpha'] });
  });

  it('a create whose audit record fails leaves no alias', async () => {
    const failing = () => {
      throw new Error('audit failed');
    };
    await expect(repo.create({ name: 'ghost', targets: [] }, failing)).rejects.toThrow('audit failed');
    expect(await repo.byName('ghost')).toBeNull();
  });
});
