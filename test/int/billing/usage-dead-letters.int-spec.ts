import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Logger } from '@nestjs/common';
import { DeadLetterListQuery, UsageStream } from '@switchboard/contracts';
import { openDatabase, type Database, type PrismaService } from '@switchboard/db';
import { SpoolUsageQueue, type Bus } from '@switchboard/messaging';
import { processMetrics } from '@switchboard/observability';
import { UsageLedgerRepository } from '../../../apps/billing/src/ledger/usage-ledger.repository';
import { UsageBillingConsumer } from '../../../apps/billing/src/usage/usage-billing.consumer';
import { RequestLogRepository } from '../../../apps/log-writer/src/logs/request-log.repository';
import { UsageDeadLetterQueryService } from '../../../apps/log-writer/src/usage/usage-dead-letter-query.service';
import { UsageDeadLetterRepository } from '../../../apps/log-writer/src/usage/usage-dead-letter.repository';
import { UsageLogConsumer } from '../../../apps/log-writer/src/usage/usage-log.consumer';
import { TEST_BILLING_SETTINGS as SETTINGS, usageRecord } from './billing-fixtures';
import { createThrowawayDatabase, describePostgres, type ThrowawayDatabase } from '../db/harness';

jest.setTimeout(90_000);

const BILLING = UsageStream.consumers.billing;
const LOGS = UsageStream.consumers.logWriter;
const BIGINT_MAX = 9_223_372_036_854_775_807n;

const deadLetterMetric = async (consumer: string): Promise<number> =>
  (await processMetrics().usageDeadLetters.get()).values.find((v) => v.labels.consumer === consumer)?.value ?? 0;

/**
 * Billing and log-writer behind the standalone spool, on real Postgres: a record Postgres refuses is kept in
 * usage_dead_letters (with its consumer, error and time, counted in switchboard_usage_dead_letters_total) while every
 * other record of its batch is committed, and records published after it keep flowing.
 */
describePostgres('usage dead letters on Postgres', () => {
  let tdb: ThrowawayDatabase;
  let db: Database;
  let prisma: PrismaService;
  let dataDir: string;
  let queue: SpoolUsageQueue;
  const bus = { emit: () => undefined, request: async () => ({}) } as unknown as Bus;

  beforeAll(async () => {
    Logger.overrideLogger(['fatal']); // the consumers log each dead letter as an error, on purpose here
    tdb = await createThrowawayDatabase();
    db = await openDatabase({ databaseUrl: tdb.url, dataDir: os.tmpdir(), migrate: true, seed: true });
    prisma = db.prisma;
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-deadletters-'));
    queue = new SpoolUsageQueue(dataDir);
    await new UsageBillingConsumer(new UsageLedgerRepository(prisma), bus, queue, SETTINGS, { billed: () => Promise.resolve() }).onApplicationBootstrap();
    await new UsageLogConsumer(new RequestLogRepository(prisma), new UsageDeadLetterRepository(prisma), queue).onApplicationBootstrap();
  });

  afterAll(async () => {
    await queue?.close();
    await db?.close();
    await tdb?.drop();
  });

  it('one record Postgres refuses in a batch of many: the others are committed, it is dead-lettered by the consumer that failed, and the metric counts it', async () => {
    const u = (await prisma.user.create({ data: { name: 'dl', balanceMicros: 1_000_000_000n } })).id;
    const t = (await prisma.token.create({ data: { name: 'dl', userId: u, keyHash: 'dl'.padEnd(64, '0'), keyPrefix: 'sk-x' } })).id;
    // A token whose used quota cannot grow any more: billing its record overflows bigint (22003), whatever the batch.
    const full = (
      await prisma.token.create({ data: { name: 'full', userId: u, keyHash: 'full'.padEnd(64, '0'), keyPrefix: 'sk-x', usedQuotaMicros: BIGINT_MAX - 5n } })
    ).id;
    const [billingBefore, logsBefore] = [await deadLetterMetric(BILLING), await deadLetterMetric(LOGS)];

    const good = Array.from({ length: 40 }, (_, i) => usageRecord(`dl-good-${i}`, u, t, 100));
    // Postgres text cannot hold NUL: request_logs refuses this one (billing does not store the model).
    const nulModel = { ...usageRecord('dl-nul-model', u, t, 100), model: 'gpt\u0000evil' };
    const overflow = usageRecord('dl-overflow', u, full, 100);
    const records = [...good.slice(0, 20), nulModel, ...good.slice(20, 30), overflow, ...good.slice(30)];
    for (const r of records) queue.publish(r);
    await queue.flush(60_000);
    expect(queue.pending()).toBe(0);

    // log-writer: every record but the NUL one
    const logged = await prisma.requestLog.findMany({ where: { requestId: { startsWith: 'dl-' } }, select: { requestId: true } });
    expect(logged.map((r) => r.requestId).sort()).toEqual(
      records
        .filter((r) => r !== nulModel)
        .map((r) => r.requestId)
        .sort(),
    );
    // billing: every record but the overflowing one, and the balance moved by exactly those
    const billed = await prisma.ledgerEntry.findMany({ where: { requestId: { startsWith: 'dl-' }, kind: 'usage' }, select: { requestId: true } });
    expect(billed.map((r) => r.requestId).sort()).toEqual(
      records
        .filter((r) => r !== overflow)
        .map((r) => r.requestId)
        .sort(),
    );
    expect((await prisma.user.findUniqueOrThrow({ where: { id: u } })).balanceMicros).toBe(1_000_000_000n - 41n * 100n);

    const letters = await prisma.usageDeadLetter.findMany({ orderBy: { id: 'asc' } });
    expect(letters.map((l) => [l.consumer, l.requestId])).toEqual(
      expect.arrayContaining([
        [LOGS, 'dl-nul-model'],
        [BILLING, 'dl-overflow'],
      ]),
    );
    expect(letters).toHaveLength(2);
    const nul = letters.find((l) => l.requestId === 'dl-nul-model')!;
    expect(JSON.parse(nul.record)).toEqual(nulModel); // kept whole, NUL included
    expect(nul.error).toMatch(/unicode|0x00|escape|invalid byte/i);
    expect(letters.find((l) => l.requestId === 'dl-overflow')!.error).toMatch(/out of range/i);
    expect(Date.now() - letters[0].createdAt.getTime()).toBeLessThan(120_000);
    expect(await deadLetterMetric(BILLING)).toBe(billingBefore + 1);
    expect(await deadLetterMetric(LOGS)).toBe(logsBefore + 1);

    // A redelivery (replay after a crash) keeps each dead letter once and counts nothing new.
    for (const r of [nulModel, overflow, good[0]]) queue.publish(r);
    await queue.flush(60_000);
    expect(await prisma.usageDeadLetter.count()).toBe(2);
    expect(await deadLetterMetric(LOGS)).toBe(logsBefore + 1);

    // What comes after keeps flowing.
    queue.publish(usageRecord('dl-later', u, t, 100));
    await queue.flush(30_000);
    expect(await prisma.requestLog.count({ where: { requestId: 'dl-later' } })).toBe(1);
    expect(await prisma.ledgerEntry.count({ where: { requestId: 'dl-later' } })).toBe(1);

    // The admin API's view (GET /api/usage/dead-letters): newest first, { data, total }, filters and paging.
    const svc = new UsageDeadLetterQueryService(new UsageDeadLetterRepository(prisma));
    const all = (await svc.list(DeadLetterListQuery.parse({}))) as unknown as {
      data: { consumer: string; requestId: string; record: { model: string }; error: string; createdAt: string }[];
      total: number;
    };
    expect(all.total).toBe(2);
    expect(all.data.map((d) => d.requestId)).toEqual([...letters].reverse().map((l) => l.requestId));
    expect(all.data.find((d) => d.requestId === 'dl-nul-model')!.record.model).toBe('gpt\u0000evil');
    const onlyLogs = await svc.list(DeadLetterListQuery.parse({ consumer: LOGS }));
    expect(onlyLogs.total).toBe(1);
    const page = await svc.list(DeadLetterListQuery.parse({ limit: '1', offset: '1' }));
    expect(page).toMatchObject({ total: 2 });
    expect(page.data).toHaveLength(1);
  });

  it('a record that fails validation at publish is kept by both consumers at once, and neither bills nor logs it', async () => {
    const bad = { ...usageRecord('dl-invalid', 1, 1, 100), promptTokens: 2.5 };
    const before = await prisma.usageDeadLetter.count();
    queue.publish(bad);
    await queue.flush(30_000);
    const letters = await prisma.usageDeadLetter.findMany({ where: { requestId: 'dl-invalid' } });
    expect(letters.map((l) => l.consumer).sort()).toEqual([BILLING, LOGS].sort());
    expect(letters[0].error).toMatch(/rejected at publish: invalid usage record: promptTokens/);
    expect(await prisma.usageDeadLetter.count()).toBe(before + 2);
    expect(await prisma.requestLog.count({ where: { requestId: 'dl-invalid' } })).toBe(0);
    expect(await prisma.ledgerEntry.count({ where: { requestId: 'dl-invalid' } })).toBe(0);
  });
});
