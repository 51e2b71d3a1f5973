import os from 'node:os';
import { openDatabase, type Database, type PrismaService } from '@switchboard/db';
import { QuotaViewRepository } from '../../../apps/billing/src/ledger/quota-view.repository';
import { UsageLedgerRepository } from '../../../apps/billing/src/ledger/usage-ledger.repository';
import { createThrowawayDatabase, describePostgres, type ThrowawayDatabase } from '../db/harness';

jest.setTimeout(60_000);

/** The quota reconciliation's reads on real Postgres (the reconciliation itself: quota-counters.int-spec.ts). */
describePostgres('QuotaViewRepository on Postgres', () => {
  let tdb: ThrowawayDatabase;
  let db: Database;
  let prisma: PrismaService;
  let repo: QuotaViewRepository;

  beforeAll(async () => {
    tdb = await createThrowawayDatabase();
    db = await openDatabase({ databaseUrl: tdb.url, dataDir: os.tmpdir(), migrate: true, seed: true });
    prisma = db.prisma;
    repo = new QuotaViewRepository(prisma);
  });

  afterAll(async () => {
    await db?.close();
    await tdb?.drop();
  });

  it('reads what limited accounts have left and which requests were billed, at what cost', async () => {
    const limited = await prisma.user.create({ data: { name: 'qv-limited', balanceMicros: 700n } });
    const unlimited = await prisma.user.create({ data: { name: 'qv-unlimited', balanceMicros: null } });
    const t = await prisma.token.create({
      data: { name: 'qv', userId: limited.id, keyHash: 'qv'.padEnd(64, '0'), keyPrefix: 'sk-x', quotaMicros: 1_000n, usedQuotaMicros: 250n },
    });
    await prisma.ledgerEntry.create({ data: { userId: limited.id, tokenId: t.id, requestId: 'qv-1', kind: 'usage', amountMicros: -250n } });
    const read = await repo.inSnapshot(async (s) => ({
      locked: await s.tryLock(),
      remaining: await s.remaining([limited.id, unlimited.id], [t.id]),
      billed: await s.billedCosts(['qv-1', 'qv-unbilled']),
      none: await s.billedCosts([]),
    }));
    expect(read.locked).toBe(true);
    expect(read.remaining).toEqual([
      { kind: 'user', id: limited.id, remainingMicros: 700 },
      { kind: 'token', id: t.id, remainingMicros: 750 },
    ]);
    expect(read.billed).toEqual(new Map([['qv-1', 250]]));
    expect(read.none.size).toBe(0);
  });

  it('lets one snapshot at a time hold the reconciliation lock, until its transaction ends', async () => {
    let inner: boolean | undefined;
    const outer = await repo.inSnapshot(async (s) => {
      const locked = await s.tryLock();
      inner = await repo.inSnapshot((other) => other.tryLock());
      return locked;
    });
    expect([outer, inner]).toEqual([true, false]);
    expect(await repo.inSnapshot((s) => s.tryLock())).toBe(true);
  });

  it('reads one snapshot: a commit after its first read is not seen', async () => {
    const u = await prisma.user.create({ data: { name: 'qv-snapshot', balanceMicros: 100n } });
    const seen = await repo.inSnapshot(async (s) => {
      await s.tryLock();
      await tdb.query(`INSERT INTO ledger_entries ("userId", "requestId", kind, "amountMicros") VALUES ($1, 'qv-late', 'usage', -1)`, [u.id]);
      return s.billedCosts(['qv-late']);
    });
    expect(seen.size).toBe(0);
  });

  it("sees a billing debit's transaction only in snapshots taken after it committed", async () => {
    const u = await prisma.user.create({ data: { name: 'qv-tx', balanceMicros: 10_000n } });
    const ledger = new UsageLedgerRepository(prisma);
    const before = await ledger.debit([{ requestId: 'qv-tx-1', userId: u.id, tokenId: null, costMicros: 10 }]);
    expect(before.txid).toMatch(/^\d+$/);
    expect(before.inserted.map((d) => d.requestId)).toEqual(['qv-tx-1']);
    let late!: string;
    const seen = await repo.inSnapshot(async (s) => {
      await s.tryLock(); // fixes the snapshot
      late = (await ledger.debit([{ requestId: 'qv-tx-2', userId: u.id, tokenId: null, costMicros: 20 }])).txid;
      return s.committed([before.txid, late, 'not-a-txid', '99999999999999999999']);
    });
    expect(late).not.toBe(before.txid);
    expect(seen).toEqual(new Set([before.txid]));
    expect(await repo.inSnapshot((s) => s.committed([before.txid, late]))).toEqual(new Set([before.txid, late]));
    expect(await repo.inSnapshot((s) => s.committed([]))).toEqual(new Set());
  });
});
