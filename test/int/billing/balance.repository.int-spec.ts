import os from 'node:os';
import { openDatabase, type AuditEntry, type Database, type PrismaService } from '@switchboard/db';
import { BalanceRepository } from '../../../apps/billing/src/ledger/balance.repository';
import { createThrowawayDatabase, describePostgres, type ThrowawayDatabase } from '../db/harness';

jest.setTimeout(60_000);

/** Admin credits on real Postgres: the ledger entry, the balance and the audit entry move together or not at all. */
describePostgres('BalanceRepository on Postgres', () => {
  let tdb: ThrowawayDatabase;
  let db: Database;
  let prisma: PrismaService;
  let repo: BalanceRepository;
  const audit = (entityId: number) => (): AuditEntry => ({ actor: 'admin', action: 'update', entity: 'user', entityId, after: { topup: 1 } });
  const topUp = (userId: number, amountMicros: bigint) => ({ userId, tokenId: null, kind: 'topup' as const, reference: null, amountMicros });

  beforeAll(async () => {
    tdb = await createThrowawayDatabase();
    db = await openDatabase({ databaseUrl: tdb.url, dataDir: os.tmpdir(), migrate: true, seed: true });
    prisma = db.prisma;
    repo = new BalanceRepository(prisma);
  });

  afterAll(async () => {
    await db?.close();
    await tdb?.drop();
  });

  it('credits the balance with a ledger entry (not an adjustment) and the audit entry', async () => {
    const u = await prisma.user.create({ data: { name: 'credited', balanceMicros: 1_000n } });
    expect(await repo.creditAudited(topUp(u.id, 500n), audit(u.id))).toEqual({ before: 1_000n, after: 1_500n, name: 'credited' });
    const after = await prisma.user.findUniqueOrThrow({ where: { id: u.id } });
    expect([after.balanceMicros, after.adjustmentsMicros]).toEqual([1_500n, 1_000n]);
    expect((await prisma.ledgerEntry.findMany({ where: { userId: u.id } })).map((e) => [e.kind, e.amountMicros])).toEqual([['topup', 500n]]);
    expect(await prisma.auditLog.count({ where: { entity: 'user', entityId: String(u.id) } })).toBe(1);
  });

  it('rolls everything back for an unlimited user (400) and an unknown one (404)', async () => {
    const u = await prisma.user.create({ data: { name: 'unlimited-credit', balanceMicros: null } });
    await expect(repo.creditAudited(topUp(u.id, 500n), audit(u.id))).rejects.toMatchObject({ status: 400 });
    await expect(repo.creditAudited(topUp(999_999, 500n), audit(999_999))).rejects.toMatchObject({ status: 404 });
    expect(await prisma.ledgerEntry.count({ where: { userId: { in: [u.id, 999_999] } } })).toBe(0);
    expect(await prisma.auditLog.count({ where: { entity: 'user', entityId: { in: [String(u.id), '999999'] } } })).toBe(0);
    expect((await prisma.user.findUniqueOrThrow({ where: { id: u.id } })).balanceMicros).toBeNull();
  });

  it("lists the user's key hashes", async () => {
    const u = await prisma.user.create({ data: { name: 'keys', balanceMicros: 0n } });
    await prisma.token.create({ data: { name: 'k', userId: u.id, keyHash: 'bk'.padEnd(64, '0'), keyPrefix: 'sk-x' } });
    expect(await repo.keyHashesOf(u.id)).toEqual(['bk'.padEnd(64, '0')]);
  });
});
