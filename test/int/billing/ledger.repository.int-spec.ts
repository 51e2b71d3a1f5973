import os from 'node:os';
import { openDatabase, type Database, type PrismaService } from '@switchboard/db';
import { LedgerRepository } from '../../../apps/billing/src/ledger/ledger.repository';
import { createThrowawayDatabase, describePostgres, type ThrowawayDatabase } from '../db/harness';

jest.setTimeout(60_000);

/** The ledger's reads on real Postgres: GET /api/ledger's page and total come from one snapshot. */
describePostgres('LedgerRepository on Postgres', () => {
  let tdb: ThrowawayDatabase;
  let db: Database;
  let prisma: PrismaService;
  let userId: number;
  let seq = 0;

  /** Commits a usage entry from another connection, as a billing replica would. */
  const commitEntry = () =>
    tdb.query(`INSERT INTO ledger_entries ("userId", "requestId", kind, "amountMicros") VALUES ($1, $2, 'usage', -1)`, [userId, `other-${++seq}`]);

  beforeAll(async () => {
    tdb = await createThrowawayDatabase();
    db = await openDatabase({ databaseUrl: tdb.url, dataDir: os.tmpdir(), migrate: true, seed: true });
    prisma = db.prisma;
    userId = (await prisma.user.create({ data: { name: 'ledger-reader', balanceMicros: null } })).id;
  });

  afterAll(async () => {
    await db?.close();
    await tdb?.drop();
  });

  it('pages newest first, with the count and sum over the whole filter', async () => {
    const u = (await prisma.user.create({ data: { name: 'paged', balanceMicros: null } })).id;
    for (let i = 1; i <= 5; i++)
      await prisma.ledgerEntry.create({ data: { userId: u, requestId: `p-${i}`, kind: i === 5 ? 'topup' : 'usage', amountMicros: -i } });
    const page = await new LedgerRepository(prisma).page({ userId: u, kind: 'usage' }, 2, 1);
    expect(page.rows.map((r) => r.requestId)).toEqual(['p-3', 'p-2']);
    expect(page.total).toBe(4);
    expect(page.sumMicros).toBe(-10n);
    expect(await new LedgerRepository(prisma).page({ userId: u, requestId: 'none' }, 10, 0)).toEqual({ rows: [], total: 0, sumMicros: 0n });
  });

  it('reads the rows and the total in one snapshot: an entry committed between its statements is in neither', async () => {
    await commitEntry();
    // Before each statement but the first, another connection commits one more entry of the same user (statements
    // sent together, as Promise.all does, still run on two connections and see the commit in the second).
    let statements = 0;
    const interleaved = prisma.$extends({
      query: {
        $allOperations: async ({ args, query }) => {
          if (statements++ > 0) await commitEntry();
          return query(args);
        },
      },
    }) as unknown as PrismaService;
    const page = await new LedgerRepository(interleaved).page({ userId }, 500, 0);
    expect(page.total).toBe(page.rows.length);
    expect(page.sumMicros).toBe(-BigInt(page.rows.length));
    expect((await new LedgerRepository(prisma).page({ userId }, 500, 0)).total).toBeGreaterThan(page.total); // the commits did happen
  });

  it('finds the accounts whose balance or used quota the ledger does not explain, and counts low balances', async () => {
    const consistent = await new LedgerRepository(prisma).userDrifts(1_000n);
    expect(consistent.drifts).toEqual([]);
    const u = (await prisma.user.create({ data: { name: 'drifted', balanceMicros: 500n } })).id; // an opening balance: an adjustment
    const t = (await prisma.token.create({ data: { name: 'drifted', userId: u, keyHash: 'drifted'.padEnd(64, '0'), keyPrefix: 'sk-x' } })).id;
    await prisma.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT set_config('switchboard.ledger_writer', 'billing', true)`; // billing's own move, with no entry
      await tx.$executeRaw`UPDATE users SET "balanceMicros" = "balanceMicros" - 42 WHERE id = ${u}`;
      await tx.$executeRaw`UPDATE tokens SET "usedQuotaMicros" = "usedQuotaMicros" + 7 WHERE id = ${t}`;
    });
    const users = await new LedgerRepository(prisma).userDrifts(1_000n);
    expect(users).toEqual({
      checked: consistent.checked + 1,
      low: consistent.low + 1,
      drifts: [{ account: 'user', id: u, recordedMicros: 458n, ledgerMicros: 500n }],
    });
    expect((await new LedgerRepository(prisma).tokenDrifts()).drifts).toEqual([{ account: 'token', id: t, recordedMicros: 7n, ledgerMicros: 0n }]);
  });
});
