import os from 'node:os';
import { openDatabase, type Database, type PrismaService } from '@switchboard/db';
import { UsageLedgerRepository, type UsageDebit } from '../../../apps/billing/src/ledger/usage-ledger.repository';
import { createThrowawayDatabase, describePostgres, type ThrowawayDatabase } from '../db/harness';

jest.setTimeout(60_000);

/** Usage debits on real Postgres: what the repository inserts, moves and reports back to the consumer. */
describePostgres('UsageLedgerRepository on Postgres', () => {
  let tdb: ThrowawayDatabase;
  let db: Database;
  let prisma: PrismaService;
  let repo: UsageLedgerRepository;
  let seq = 0;

  const user = async (balance: bigint | null) => (await prisma.user.create({ data: { name: `ul-${++seq}`, balanceMicros: balance } })).id;
  const token = async (userId: number, quota: bigint | null = null) => {
    const keyHash = `ul-${++seq}`.padEnd(64, '0');
    return { id: (await prisma.token.create({ data: { name: `ul-${seq}`, userId, keyHash, keyPrefix: 'sk-x', quotaMicros: quota } })).id, keyHash };
  };
  const debit = (requestId: string, userId: number, tokenId: number | null, costMicros: number): UsageDebit => ({ requestId, userId, tokenId, costMicros });

  beforeAll(async () => {
    tdb = await createThrowawayDatabase();
    db = await openDatabase({ databaseUrl: tdb.url, dataDir: os.tmpdir(), migrate: true, seed: true });
    prisma = db.prisma;
    repo = new UsageLedgerRepository(prisma);
  });

  afterAll(async () => {
    await db?.close();
    await tdb?.drop();
  });

  it('inserts one usage entry per request, moves balances and quotas once, and reports each user in id order', async () => {
    const [a, b] = [await user(5_000n), await user(null)];
    const [ta, tb] = [await token(a), await token(b)];
    const batch = [debit('x-1', b, tb.id, 7), debit('x-2', a, ta.id, 100), debit('x-3', a, null, 20)];
    const out = await repo.debit(batch);
    expect(out).toEqual({
      inserted: batch,
      txid: expect.stringMatching(/^\d+$/),
      balances: [
        { userId: Math.min(a, b), debitMicros: a < b ? 120n : 7n, balanceAfterMicros: a < b ? 4_880n : null, lastRequestId: a < b ? 'x-3' : 'x-1' },
        { userId: Math.max(a, b), debitMicros: a < b ? 7n : 120n, balanceAfterMicros: a < b ? null : 4_880n, lastRequestId: a < b ? 'x-1' : 'x-3' },
      ],
      exhaustedKeyHashes: [],
    });
    const entries = await prisma.ledgerEntry.findMany({ where: { requestId: { in: ['x-1', 'x-2', 'x-3'] } }, orderBy: { requestId: 'asc' } });
    expect(entries.map((e) => [e.requestId, e.kind, e.userId, e.tokenId, e.amountMicros])).toEqual([
      ['x-1', 'usage', b, tb.id, -7n],
      ['x-2', 'usage', a, ta.id, -100n],
      ['x-3', 'usage', a, null, -20n],
    ]);
    expect((await prisma.token.findUniqueOrThrow({ where: { id: ta.id } })).usedQuotaMicros).toBe(100n);
    // billing's own balance move is not an adjustment (the users_balance_adjustment trigger skips it)
    expect((await prisma.user.findUniqueOrThrow({ where: { id: a } })).adjustmentsMicros).toBe(5_000n);
  });

  it('skips requests already billed: nothing moves and no balance is reported', async () => {
    const u = await user(1_000n);
    const t = await token(u);
    const first = await repo.debit([debit('d-1', u, t.id, 10)]);
    const again = await repo.debit([debit('d-1', u, t.id, 10), debit('d-1', u, t.id, 10)]);
    expect(again).toEqual({ inserted: [], txid: expect.stringMatching(/^\d+$/), balances: [], exhaustedKeyHashes: [] });
    expect(BigInt(again.txid)).toBeGreaterThan(BigInt(first.txid));
    expect((await prisma.user.findUniqueOrThrow({ where: { id: u } })).balanceMicros).toBe(990n);
    expect((await prisma.token.findUniqueOrThrow({ where: { id: t.id } })).usedQuotaMicros).toBe(10n);
  });

  it('marks a token exhausted when its used quota reaches the quota, and reports its key hash', async () => {
    const u = await user(null);
    const t = await token(u, 100n);
    expect((await repo.debit([debit('q-1', u, t.id, 60)])).exhaustedKeyHashes).toEqual([]);
    expect((await repo.debit([debit('q-2', u, t.id, 40)])).exhaustedKeyHashes).toEqual([t.keyHash]);
    expect((await prisma.token.findUniqueOrThrow({ where: { id: t.id } })).status).toBe('exhausted');
  });

  it('keeps dead letters once per consumer and request', async () => {
    const letters = [{ record: { requestId: 'dead-1' }, error: 'boom' }];
    expect(await repo.storeDeadLetters('billing', letters)).toBe(1);
    expect(await repo.storeDeadLetters('billing', letters)).toBe(0);
  });
});
