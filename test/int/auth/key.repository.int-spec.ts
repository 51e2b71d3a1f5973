import os from 'node:os';
import { openDatabase, type Database, type PrismaService } from '@switchboard/db';
import { KeyRepository } from '../../../apps/auth/src/keys/key.repository';
import { createThrowawayDatabase, describePostgres, type ThrowawayDatabase } from '../db/harness';

jest.setTimeout(60_000);

/** Key verification's reads and expiry flips on real Postgres. */
describePostgres('KeyRepository on Postgres', () => {
  let tdb: ThrowawayDatabase;
  let db: Database;
  let prisma: PrismaService;
  let repo: KeyRepository;
  let userId: number;
  let seq = 0;
  const token = async (over: { status?: string; expiresAt?: Date | null } = {}) => {
    const keyHash = `kr-${++seq}`.padEnd(64, '0');
    return prisma.token.create({ data: { name: `kr-${seq}`, userId, keyHash, keyPrefix: 'sk-x', ...over } });
  };

  beforeAll(async () => {
    tdb = await createThrowawayDatabase();
    db = await openDatabase({ databaseUrl: tdb.url, dataDir: os.tmpdir(), migrate: true, seed: true });
    prisma = db.prisma;
    repo = new KeyRepository(prisma);
    userId = (await prisma.user.create({ data: { name: 'key-owner', group: 'kr-group' } })).id;
  });

  afterAll(async () => {
    await db?.close();
    await tdb?.drop();
  });

  it('finds a token by its key hash with its user, and a group by name', async () => {
    const t = await token();
    expect(await repo.tokenByKeyHash(t.keyHash)).toMatchObject({ id: t.id, user: { id: userId, group: 'kr-group' } });
    expect(await repo.tokenByKeyHash('missing')).toBeNull();
    await prisma.group.create({ data: { name: 'kr-group', rpm: 5 } });
    expect(await repo.group('kr-group')).toMatchObject({ name: 'kr-group', rpm: 5 });
    expect(await repo.group('none')).toBeNull();
  });

  it('flips an active token once, and never a disabled one', async () => {
    const t = await token();
    expect(await repo.expireIfActive(t.id)).toBe(true);
    expect(await repo.expireIfActive(t.id)).toBe(false);
    const disabled = await token({ status: 'disabled' });
    expect(await repo.expireIfActive(disabled.id)).toBe(false);
    expect((await prisma.token.findUniqueOrThrow({ where: { id: disabled.id } })).status).toBe('disabled');
  });

  it('expires the active tokens due by `now`, reporting each once', async () => {
    const now = new Date();
    const due = await token({ expiresAt: new Date(now.getTime() - 1_000) });
    const exact = await token({ expiresAt: now });
    const later = await token({ expiresAt: new Date(now.getTime() + 60_000) });
    const disabled = await token({ status: 'disabled', expiresAt: new Date(now.getTime() - 1_000) });
    expect((await repo.expireDue(now)).sort()).toEqual([due.keyHash, exact.keyHash].sort());
    expect(await repo.expireDue(now)).toEqual([]);
    const statuses = await prisma.token.findMany({ where: { id: { in: [later.id, disabled.id] } }, orderBy: { id: 'asc' } });
    expect(statuses.map((t) => t.status)).toEqual(['active', 'disabled']);
  });
});
