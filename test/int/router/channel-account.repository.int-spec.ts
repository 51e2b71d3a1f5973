import os from 'node:os';
import { openDatabase, type Database, type PrismaService } from '@switchboard/db';
import { ChannelAccountRepository } from '../../../apps/router/src/accounts/channel-account.repository';
import { createThrowawayDatabase, describePostgres, type ThrowawayDatabase } from '../db/harness';

jest.setTimeout(60_000);

/** What providers report of channel accounts, stored on real Postgres: a read never fails for a row deleted meanwhile. */
describePostgres('ChannelAccountRepository on Postgres', () => {
  let tdb: ThrowawayDatabase;
  let db: Database;
  let prisma: PrismaService;
  let repo: ChannelAccountRepository;

  beforeAll(async () => {
    tdb = await createThrowawayDatabase();
    db = await openDatabase({ databaseUrl: tdb.url, dataDir: os.tmpdir(), migrate: true, seed: true });
    prisma = db.prisma;
    repo = new ChannelAccountRepository(prisma);
  });
  afterAll(async () => {
    await db?.close();
    await tdb?.drop();
  });

  it('keeps the last balance beside a failed read; a deleted channel is skipped, never an error', async () => {
    const c = await prisma.channel.create({
      data: { name: 'bal', type: 'deepseek', baseUrl: 'http://up', keys: { create: [{ position: 0, keyCiphertext: 'ct', keyHint: 'h' }] } },
    });
    const t1 = new Date('2026-12-06T10:00:00Z');
    const t2 = new Date('2026-12-06T10:10:00Z');
    expect(await repo.storeBalance(c.id, { balance: 110, currency: 'CNY' }, t1)).toEqual({
      channelId: c.id,
      balance: 110,
      currency: 'CNY',
      updatedAt: t1,
      checkedAt: t1,
      error: null,
    });
    expect(await repo.storeBalance(c.id, { error: '401: Authentication Fails' }, t2)).toEqual({
      channelId: c.id,
      balance: 110,
      currency: 'CNY',
      updatedAt: t1,
      checkedAt: t2,
      error: '401: Authentication Fails',
    });
    expect((await repo.balances()).map((b) => b.channelId)).toContain(c.id);

    const [key] = await prisma.channelKey.findMany({ where: { channelId: c.id } });
    await repo.storeAllowance(key.id, { used: 3, limit: 10, resetAt: t2 }, t1);
    await repo.storeAllowance(key.id, { error: 'timeout' }, t2);
    expect(await prisma.channelKey.findUniqueOrThrow({ where: { id: key.id } })).toMatchObject({
      allowanceUsed: 3,
      allowanceLimit: 10,
      allowanceResetAt: t2,
      allowanceCheckedAt: t2,
      allowanceError: 'timeout',
    });

    await prisma.channel.delete({ where: { id: c.id } });
    await expect(repo.storeBalance(c.id, { balance: 1, currency: 'CNY' }, t2)).resolves.toBeNull();
    await expect(repo.storeAllowance(key.id, { used: 1, limit: 2, resetAt: null }, t2)).resolves.toBeUndefined();
    expect(await repo.balanceOf(c.id)).toBeNull();
  });
});
