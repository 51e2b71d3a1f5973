import os from 'node:os';
import { openDatabase, type Database, type PrismaService } from '@switchboard/db';
import { RedemptionRepository } from '../../../apps/billing/src/redemptions/redemption.repository';
import { committingBetweenStatements } from '../db/between-statements';
import { createThrowawayDatabase, describePostgres, type ThrowawayDatabase } from '../db/harness';

jest.setTimeout(60_000);

/** Redemption codes on real Postgres (the 20-client race is in ledger.int-spec.ts). */
describePostgres('RedemptionRepository on Postgres', () => {
  let tdb: ThrowawayDatabase;
  let db: Database;
  let prisma: PrismaService;
  let repo: RedemptionRepository;
  let seq = 0;
  const create = async (valueMicros: bigint, expiresAt: Date | null = null) => {
    const digest = `digest-${++seq}`;
    const [r] = await repo.createAudited([digest], valueMicros, expiresAt, (row) => ({
      actor: 'admin',
      action: 'create',
      entity: 'redemption',
      entityId: row.id,
      after: { id: row.id },
    }));
    return { ...r, digest };
  };

  beforeAll(async () => {
    tdb = await createThrowawayDatabase();
    db = await openDatabase({ databaseUrl: tdb.url, dataDir: os.tmpdir(), migrate: true, seed: true });
    prisma = db.prisma;
    repo = new RedemptionRepository(prisma);
  });

  afterAll(async () => {
    await db?.close();
    await tdb?.drop();
  });

  it('stores the codes with one audit entry each', async () => {
    const r = await create(5n);
    expect(r).toMatchObject({ code: r.digest, valueMicros: 5n, usedAt: null });
    expect((await prisma.auditLog.findFirstOrThrow({ where: { entity: 'redemption', entityId: String(r.id) } })).after).toEqual({ id: r.id });
  });

  it('claims a code once and credits its value as a redemption entry', async () => {
    const u = await prisma.user.create({ data: { name: 'redeemer', balanceMicros: 100n } });
    const r = await create(50n);
    expect(await repo.redeem(r.digest, u.id, null)).toEqual({ id: r.id, balanceAfterMicros: 150n });
    expect(await repo.redeem(r.digest, u.id, null)).toBeNull();
    expect(await prisma.ledgerEntry.findMany({ where: { requestId: `redemption:${r.id}` } })).toMatchObject([{ kind: 'redemption', amountMicros: 50n }]);
    expect(await repo.findByDigest(r.digest)).toMatchObject({ usedByUserId: u.id });
  });

  it('does not claim an expired code, nor keep the claim when the user cannot be credited', async () => {
    const u = await prisma.user.create({ data: { name: 'unlimited-redeemer', balanceMicros: null } });
    const expired = await create(1n, new Date(Date.now() - 1_000));
    expect(await repo.redeem(expired.digest, u.id, null)).toBeNull();
    const r = await create(1n);
    await expect(repo.redeem(r.digest, u.id, null)).rejects.toMatchObject({ status: 400 });
    expect((await repo.findByDigest(r.digest))?.usedAt).toBeNull();
  });

  it('pages by status, newest first, with the total', async () => {
    const now = new Date();
    const used = (await repo.page('used', now, 500, 0)).rows;
    expect(used.every((r) => r.usedAt !== null)).toBe(true);
    const expired = await repo.page('expired', now, 500, 0);
    expect(expired.rows.every((r) => r.usedAt === null && r.expiresAt !== null && r.expiresAt <= now)).toBe(true);
    const all = await repo.page(undefined, now, 2, 0);
    expect(all.total).toBe(await prisma.redemption.count());
    expect(all.rows.map((r) => r.id)).toEqual([...all.rows.map((r) => r.id)].sort((a, b) => b - a));
  });

  it('reads the page and the total in one snapshot: a code committed between its statements is in neither', async () => {
    const commit = () => create(1n);
    await commit();
    const page = await new RedemptionRepository(committingBetweenStatements(prisma, commit)).page('unused', new Date(), 500, 0);
    expect(page.total).toBe(page.rows.length);
    expect((await repo.page('unused', new Date(), 500, 0)).total).toBeGreaterThan(page.total); // the commits did happen
  });
});
