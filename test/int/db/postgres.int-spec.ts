import os from 'node:os';
import { migrate, openDatabase, type Database } from '@switchboard/db';
import { createThrowawayDatabase, describePostgres, type ThrowawayDatabase } from './harness';
import { checkMoneyRoundTrip, checkSeedIsIdempotent, checkTransactions, migrationNames } from './checks';

jest.setTimeout(30_000);

describePostgres('libs/db on Postgres', () => {
  const dataDir = os.tmpdir(); // unused with a URL, required by the signature
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn();
  });
  async function freshDatabase(): Promise<ThrowawayDatabase> {
    const tdb = await createThrowawayDatabase();
    cleanups.push(() => tdb.drop());
    return tdb;
  }
  async function open(url: string, opts: { migrate?: boolean; seed?: boolean } = {}): Promise<Database> {
    const db = await openDatabase({ databaseUrl: url, dataDir, ...opts });
    cleanups.push(() => db.close());
    return db;
  }

  test('migrate applies every migration, records it, and a second run applies nothing', async () => {
    const tdb = await freshDatabase();
    const db = await open(tdb.url);
    expect(db.kind).toBe('postgres');

    expect(await migrate(db)).toEqual({ applied: migrationNames() });
    expect(await migrate(db)).toEqual({ applied: [] });

    const recorded = await tdb.query<{ migration_name: string }>(
      'SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY migration_name',
    );
    expect(recorded.map((r) => r.migration_name)).toEqual(migrationNames());
    const tables = await tdb.query<{ table_name: string }>("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'");
    expect(tables.map((t) => t.table_name).sort()).toEqual(
      [
        '_prisma_migrations',
        'alert_channels',
        'aliases',
        'audit_logs',
        'channel_balances',
        'channel_keys',
        'channels',
        'groups',
        'ledger_entries',
        'passkey_challenges',
        'orgs',
        'passkeys',
        'plugin_configs',
        'mcp_servers',
        'prices',
        'redemptions',
        'request_bodies',
        'request_logs',
        'stripe_events',
        'stripe_payments',
        'tokens',
        'usage_dead_letters',
        'user_identities',
        'users',
      ].sort(),
    );
  });

  test('three concurrent migrate() calls against one fresh database all succeed and apply each migration once', async () => {
    const tdb = await freshDatabase();
    // distinct URLs → three independent clients and connection pools, as three processes would have
    const dbs = await Promise.all([1, 2, 3].map((i) => open(`${tdb.url}?application_name=sb-migrate-${i}`)));
    const results = await Promise.all(dbs.map((db) => migrate(db)));

    expect(results.flatMap((r) => r.applied).sort()).toEqual(migrationNames());
    const recorded = await tdb.query<{ migration_name: string; rolled_back_at: Date | null; finished_at: Date | null }>(
      'SELECT migration_name, rolled_back_at, finished_at FROM _prisma_migrations',
    );
    expect(recorded).toHaveLength(migrationNames().length);
    expect(recorded.every((r) => r.finished_at !== null && r.rolled_back_at === null)).toBe(true);
  });

  test('openDatabase({ migrate, seed }) prepares the database; seeding again changes nothing', async () => {
    const tdb = await freshDatabase();
    const db = await open(tdb.url, { migrate: true, seed: true });
    await checkSeedIsIdempotent(db.prisma);
  });

  test('BigInt money and the other column types round-trip; transactions commit or roll back', async () => {
    const tdb = await freshDatabase();
    const db = await open(tdb.url, { migrate: true });
    await checkMoneyRoundTrip(db.prisma);
    await checkTransactions(db.prisma);
  });

  test('handles for one URL share a client until the last one closes', async () => {
    const tdb = await freshDatabase();
    const [a, b] = await Promise.all([openDatabase({ databaseUrl: tdb.url, dataDir }), openDatabase({ databaseUrl: tdb.url, dataDir })]);
    expect(a.prisma).toBe(b.prisma);
    await a.close();
    await a.close(); // a second close of the same handle must not release b's reference
    await expect(b.prisma.$queryRaw`SELECT 1 AS one`).resolves.toEqual([{ one: 1 }]);
    await b.close();
  });
});
