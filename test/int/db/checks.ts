// Assertions shared by the Postgres and PGlite suites: the same schema must behave the same on both.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { ADMIN_USER_NAME, DEFAULT_GROUP, Prisma, modelsFromColumn, resolveDbAssets, seed, usdToMicros, type PrismaClient } from '@switchboard/db';

export function migrationNames(): string[] {
  return fs
    .readdirSync(resolveDbAssets().migrationsDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && /^\d{14}_/.test(e.name))
    .map((e) => e.name)
    .sort();
}

export async function checkSeedIsIdempotent(prisma: PrismaClient): Promise<void> {
  const results = await Promise.all([seed(prisma), seed(prisma)]);
  const again = await seed(prisma);
  expect(new Set([...results, again].map((r) => r.adminUserId)).size).toBe(1);

  const admins = await prisma.user.findMany({ where: { name: ADMIN_USER_NAME } });
  expect(admins).toHaveLength(1);
  expect(admins[0]).toMatchObject({ id: again.adminUserId, builtin: true, balanceMicros: null, group: DEFAULT_GROUP, status: 'active' });
  const groups = await prisma.group.findMany({ where: { name: DEFAULT_GROUP } });
  expect(groups).toHaveLength(1);
  expect(groups[0].priceRatio.toString()).toBe('1');
  expect(groups[0].rpm).toBeNull();
}

export async function checkMoneyRoundTrip(prisma: PrismaClient): Promise<void> {
  const tag = crypto.randomBytes(4).toString('hex');
  const beyondDouble = 9_007_199_254_740_993n; // 2^53 + 1: not representable as a JS number

  const rich = await prisma.user.create({ data: { name: `rich-${tag}`, balanceMicros: beyondDouble } });
  const unlimited = await prisma.user.create({ data: { name: `unlimited-${tag}`, balanceMicros: null } });
  expect((await prisma.user.findUniqueOrThrow({ where: { id: rich.id } })).balanceMicros).toBe(beyondDouble);
  expect((await prisma.user.findUniqueOrThrow({ where: { id: unlimited.id } })).balanceMicros).toBeNull();

  // atomic decrement, the way billing settles
  const after = await prisma.user.update({ where: { id: rich.id }, data: { balanceMicros: { decrement: usdToMicros(0.000001) } } });
  expect(after.balanceMicros).toBe(beyondDouble - 1n);

  const token = await prisma.token.create({
    data: { name: 't', userId: rich.id, keyHash: crypto.createHash('sha256').update(tag).digest('hex'), keyPrefix: 'sk-abcd' },
  });
  expect(token).toMatchObject({ quotaMicros: null, usedQuotaMicros: 0n, group: null, allowIps: [], status: 'active', crossGroupRetry: false });
  expect(modelsFromColumn(token.models)).toBeNull();

  const debit = await prisma.ledgerEntry.create({
    data: { userId: rich.id, tokenId: token.id, requestId: `req-${tag}`, kind: 'usage', amountMicros: -beyondDouble },
  });
  expect(typeof debit.id).toBe('bigint');
  expect(debit.amountMicros).toBe(-beyondDouble);
  await prisma.ledgerEntry.create({ data: { userId: rich.id, kind: 'topup', amountMicros: 5n } });
  const sum = await prisma.ledgerEntry.aggregate({ where: { userId: rich.id }, _sum: { amountMicros: true } });
  expect(sum._sum.amountMicros).toBe(-beyondDouble + 5n);

  // (requestId, kind) makes a redelivered usage record a no-op
  await expect(prisma.ledgerEntry.create({ data: { userId: rich.id, requestId: `req-${tag}`, kind: 'usage', amountMicros: -1n } })).rejects.toMatchObject({
    code: 'P2002',
  });
  const redelivered = await prisma.ledgerEntry.createMany({
    data: [{ userId: rich.id, requestId: `req-${tag}`, kind: 'usage', amountMicros: -1n }],
    skipDuplicates: true,
  });
  expect(redelivered.count).toBe(0);

  const price = await prisma.price.create({
    data: {
      model: `model-${tag}`,
      inputMicros: usdToMicros(2.5),
      outputMicros: usdToMicros(10),
      cacheReadMicros: usdToMicros(1.25),
      cacheWriteMicros: usdToMicros(3.75),
    },
  });
  expect(await prisma.price.findUniqueOrThrow({ where: { model: price.model } })).toMatchObject({
    inputMicros: 2_500_000n,
    outputMicros: 10_000_000n,
    cacheReadMicros: 1_250_000n,
    cacheWriteMicros: 3_750_000n,
    perRequestMicros: 0n,
    builtin: false,
  });

  const group = await prisma.group.create({ data: { name: `g-${tag}`, priceRatio: new Prisma.Decimal('1.234567') } });
  expect(group.priceRatio.toString()).toBe('1.234567');

  const log = await prisma.requestLog.create({
    data: { requestId: `req-${tag}`, model: 'gpt-4o', protocol: 'openai-chat', stream: true, status: 200, latencyMs: 12, costMicros: 123_456_789n },
  });
  expect(log).toMatchObject({ costMicros: 123_456_789n, attempts: 1, promptTokens: 0, ttftMs: null, error: null });

  const channel = await prisma.channel.create({ data: { name: `c-${tag}`, type: 'openai', baseUrl: 'https://api.openai.com', models: ['gpt-*'] } });
  expect(channel).toMatchObject({
    groups: ['default'],
    modelMapping: {},
    headersCiphertext: null,
    legacyHeaders: null,
    keyMode: 'random',
    priority: 0,
    weight: 1,
    enabled: true,
    autoBan: true,
    timeouts: null,
  });
  await prisma.channelKey.create({ data: { channelId: channel.id, position: 0, keyCiphertext: 'x', keyHint: 'abcd' } });
  await expect(prisma.channelKey.create({ data: { channelId: channel.id, position: 0, keyCiphertext: 'y', keyHint: 'efgh' } })).rejects.toMatchObject({
    code: 'P2002',
  });
  await prisma.channel.delete({ where: { id: channel.id } });
  expect(await prisma.channelKey.count({ where: { channelId: channel.id } })).toBe(0); // cascade
}

export async function checkTransactions(prisma: PrismaClient): Promise<void> {
  const tag = crypto.randomBytes(4).toString('hex');
  const user = await prisma.user.create({ data: { name: `tx-${tag}`, balanceMicros: 1_000n } });

  // an interactive transaction that throws leaves nothing behind
  await expect(
    prisma.$transaction(async (tx) => {
      await tx.user.update({ where: { id: user.id }, data: { balanceMicros: { decrement: 400n } } });
      await tx.ledgerEntry.create({ data: { userId: user.id, requestId: `tx-${tag}`, kind: 'usage', amountMicros: -400n } });
      throw new Error('abort');
    }),
  ).rejects.toThrow('abort');
  expect((await prisma.user.findUniqueOrThrow({ where: { id: user.id } })).balanceMicros).toBe(1_000n);
  expect(await prisma.ledgerEntry.count({ where: { requestId: `tx-${tag}` } })).toBe(0);

  // one that completes commits both writes
  await prisma.$transaction(async (tx) => {
    await tx.user.update({ where: { id: user.id }, data: { balanceMicros: { decrement: 400n } } });
    await tx.ledgerEntry.create({ data: { userId: user.id, requestId: `tx-${tag}`, kind: 'usage', amountMicros: -400n } });
  });
  expect((await prisma.user.findUniqueOrThrow({ where: { id: user.id } })).balanceMicros).toBe(600n);
  expect(await prisma.ledgerEntry.count({ where: { requestId: `tx-${tag}` } })).toBe(1);
}
