import os from 'node:os';
import { Logger } from '@nestjs/common';
import type { AppConfig } from '@switchboard/config';
import { openDatabase, type Database, type PrismaService } from '@switchboard/db';
import { StatsQuery, type UsageRecord } from '@switchboard/contracts';
import type { UsageQueue } from '@switchboard/messaging';
import { RequestLogRepository } from '../../../apps/log-writer/src/logs/request-log.repository';
import { LogRetentionService } from '../../../apps/log-writer/src/retention/log-retention.service';
import { UsageLogConsumer } from '../../../apps/log-writer/src/usage/usage-log.consumer';
import { LogStatsRepository } from '../../../apps/log-writer/src/stats/log-stats.repository';
import { LogStatsService } from '../../../apps/log-writer/src/stats/log-stats.service';
import { UsageDeadLetterRepository } from '../../../apps/log-writer/src/usage/usage-dead-letter.repository';
import { createThrowawayDatabase, describePostgres, type ThrowawayDatabase } from '../db/harness';

jest.setTimeout(60_000);

const DAY = 86_400_000;

/** log-writer's statistics and retention on real Postgres. */
describePostgres('request log stats and retention on Postgres', () => {
  let tdb: ThrowawayDatabase;
  let db: Database;
  let prisma: PrismaService;
  let seq = 0;

  const log = (
    ageMs: number,
    over: Partial<{
      model: string;
      channelId: number;
      userId: number;
      status: number;
      costMicros: bigint;
      latencyMs: number;
      error: string | null;
      promptTokens: number;
      completionTokens: number;
    }> = {},
  ) => ({
    requestId: `req_${String(++seq).padStart(8, '0')}`,
    createdAt: new Date(Date.now() - ageMs),
    tokenId: 1,
    userId: over.userId ?? 1,
    model: over.model ?? 'm1',
    channelId: over.channelId ?? 1,
    protocol: 'openai-chat',
    stream: false,
    status: over.status ?? 200,
    promptTokens: over.promptTokens ?? 10,
    completionTokens: over.completionTokens ?? 5,
    costMicros: over.costMicros ?? 0n,
    latencyMs: over.latencyMs ?? 100,
    error: over.error ?? null,
  });

  beforeAll(async () => {
    Logger.overrideLogger(['fatal']);
    tdb = await createThrowawayDatabase();
    db = await openDatabase({ databaseUrl: tdb.url, dataDir: os.tmpdir(), migrate: true, seed: true });
    prisma = db.prisma;
  });

  afterAll(async () => {
    await db?.close();
    await tdb?.drop();
  });

  it('aggregates totals, days, models, channels and users exactly, with latency percentiles', async () => {
    await prisma.requestLog.deleteMany();
    const now = new Date();
    const msToday = now.getTime() - Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
    const today = Math.min(60_000, msToday); // safely inside today (UTC)
    await prisma.requestLog.createMany({
      data: [
        ...Array.from({ length: 10 }, (_, i) => log(today, { latencyMs: (i + 1) * 10, costMicros: 333_333n, model: 'm1', channelId: 1, userId: 1 })),
        log(today, { status: 503, error: 'no channel', model: 'm1', channelId: 1, userId: 2 }),
        log(today, { status: 499, error: 'client closed the connection', costMicros: 1n, model: 'm2', channelId: 2, userId: 2 }),
        log(today, { status: 200, error: 'upstream stream ended early: network', costMicros: 7n, model: 'm2', channelId: 2, userId: 2 }),
        log(msToday + 1000, { costMicros: 1_000_000n, model: 'm2', channelId: 2, userId: 3 }), // yesterday
        log(msToday + 9 * DAY, { costMicros: 5_000_000n }), // outside days=7
      ],
    });
    const stats = new LogStatsService(new LogStatsRepository(prisma));
    const body = (await stats.stats(StatsQuery.parse({ days: '7' }))) as Record<string, any>;
    expect(body.totals).toMatchObject({ requests: 14, promptTokens: 140, completionTokens: 70, cost: 4.333338 });
    // errors: the 503 and the upstream-broken stream; a client abort (499) is not an error
    expect(body.totals.errorRate).toBeCloseTo(2 / 14, 12);
    expect(body.byDay).toHaveLength(7);
    expect(body.byDay[6]).toMatchObject({ date: now.toISOString().slice(0, 10), requests: 13, cost: 3.333338 });
    expect(body.byDay[5]).toMatchObject({ requests: 1, cost: 1 });
    expect(body.byDay.slice(0, 5).every((d: { requests: number }) => d.requests === 0)).toBe(true);
    expect(body.byModel.map((m: { model: string; requests: number; cost: number }) => [m.model, m.requests, m.cost])).toEqual([
      ['m1', 11, 3.33333],
      ['m2', 3, 1.000008],
    ]);
    expect(body.byChannel.map((c: { channelId: number; cost: number }) => [c.channelId, c.cost])).toEqual([
      [1, 3.33333],
      [2, 1.000008],
    ]);
    expect(body.topUsers.map((u: { userId: number; cost: number; requests: number }) => [u.userId, u.requests, u.cost])).toEqual([
      [1, 10, 3.33333],
      [3, 1, 1],
      [2, 3, 0.000008],
    ]);
    const m1 = body.byModel[0];
    // percentile_cont over 10..100 step 10 plus one 100 ms (the 503): p50 = 60, p95 = 100
    expect(m1.latencyP50Ms).toBe(60);
    expect(m1.latencyP95Ms).toBe(100);
    const one = { body: (await stats.stats(StatsQuery.parse({ days: '1' }))) as Record<string, any> };
    expect(one.body.totals.requests).toBe(13);
    expect(one.body.byDay).toHaveLength(1);
  });

  it('stores usage records once, field for field; a record delivered again (or twice in a batch) is skipped', async () => {
    await prisma.requestLog.deleteMany();
    const consumer = new UsageLogConsumer(new RequestLogRepository(prisma), new UsageDeadLetterRepository(prisma), {
      consume: async () => undefined,
    } as unknown as UsageQueue);
    const rec = (requestId: string, over: Partial<UsageRecord> = {}): UsageRecord => ({
      requestId,
      createdAt: '2026-11-22T06:00:00.123Z',
      tokenId: 7,
      userId: 3,
      group: 'default',
      model: 'gpt-x',
      upstreamModel: 'gpt-x-up',
      channelId: 2,
      protocol: 'openai-chat',
      upstreamProtocol: 'anthropic',
      stream: true,
      status: 200,
      promptTokens: 11,
      completionTokens: 22,
      cacheReadTokens: 3,
      cacheWriteTokens: 4,
      reasoningTokens: 5,
      costMicros: Number.MAX_SAFE_INTEGER,
      latencyMs: 321,
      ttftMs: 45,
      attempts: 2,
      error: 'it\'s "quoted" \\ and unicode: ✓',
      reservedMicros: 99,
      endpoint: 'chat.completions',
      units: null,
      keyAttempts: [],
      plugins: null,
      bodies: null,
      ...over,
    });
    const nulls = rec('log-nulls', {
      tokenId: null,
      userId: null,
      group: null,
      upstreamModel: null,
      channelId: null,
      upstreamProtocol: null,
      ttftMs: null,
      error: null,
      endpoint: null,
      units: null,
      createdAt: '2026-11-22T07:00:00+01:00',
    });
    const units = rec('log-units', {
      endpoint: 'audio.transcriptions',
      units: { audioSeconds: 12.345, images: 2, characters: 10, searchUnits: 1 },
      plugins: { cache: 'hit', 'stream-fake': 'applied' },
    });
    await consumer.store([rec('log-1'), nulls, rec('log-1'), units]);
    await consumer.store([rec('log-1'), rec('log-2')]); // redelivery, overlapping
    expect(await prisma.requestLog.count()).toBe(4);
    const { reservedMicros: _, keyAttempts: _k, bodies: _b, ...expected } = rec('log-1');
    expect(await prisma.requestLog.findUnique({ where: { requestId: 'log-1' } })).toEqual({
      ...expected,
      createdAt: new Date('2026-11-22T06:00:00.123Z'),
      costMicros: BigInt(Number.MAX_SAFE_INTEGER),
    });
    const { reservedMicros: __, keyAttempts: __k, bodies: __b, ...withUnits } = units;
    expect(await prisma.requestLog.findUnique({ where: { requestId: 'log-units' } })).toEqual({
      ...withUnits,
      createdAt: new Date('2026-11-22T06:00:00.123Z'),
      costMicros: BigInt(Number.MAX_SAFE_INTEGER),
    });
    expect(await prisma.requestLog.findUnique({ where: { requestId: 'log-nulls' } })).toMatchObject({
      tokenId: null,
      userId: null,
      group: null,
      upstreamModel: null,
      channelId: null,
      upstreamProtocol: null,
      ttftMs: null,
      error: null,
      endpoint: null,
      units: null,
      createdAt: new Date('2026-11-22T06:00:00.000Z'),
    });
  });

  it("adds each stored record's key attempts to its keys' counters once: redelivered or repeated records add nothing", async () => {
    await prisma.requestLog.deleteMany();
    const ch = await prisma.channel.create({
      data: {
        name: `counted-${Date.now()}`,
        type: 'openai',
        baseUrl: 'http://x',
        keys: { create: [0, 1].map((position) => ({ position, keyCiphertext: 'ct', keyHint: `k${position}` })) },
      },
      include: { keys: { orderBy: { position: 'asc' } } },
    });
    const [a, b] = ch.keys;
    const consumer = new UsageLogConsumer(new RequestLogRepository(prisma), new UsageDeadLetterRepository(prisma), {
      consume: async () => undefined,
    } as unknown as UsageQueue);
    const rec = (requestId: string, createdAt: string, keyAttempts: UsageRecord['keyAttempts'], over: Partial<UsageRecord> = {}): UsageRecord => ({
      requestId,
      createdAt,
      tokenId: 1,
      userId: 1,
      group: 'default',
      model: 'm',
      upstreamModel: 'm',
      channelId: ch.id,
      protocol: 'openai-chat',
      upstreamProtocol: 'openai-chat',
      stream: false,
      status: 200,
      promptTokens: 10,
      completionTokens: 4,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
      costMicros: 0,
      latencyMs: 5,
      ttftMs: null,
      attempts: keyAttempts.length,
      error: null,
      reservedMicros: 0,
      endpoint: 'chat.completions',
      units: null,
      keyAttempts,
      plugins: null,
      bodies: null,
      ...over,
    });
    // b failed then a answered; a answered alone; b answered alone but the stream broke (an error, its tokens kept)
    const failover = rec('k-1', '2026-11-22T06:00:00.000Z', [
      { keyId: b.id, ok: false },
      { keyId: a.id, ok: true },
    ]);
    const direct = rec('k-2', '2026-11-22T06:05:00.000+01:00', [{ keyId: a.id, ok: true }], { promptTokens: 1, completionTokens: 2 });
    const broken = rec('k-3', '2026-11-22T05:00:00.000Z', [{ keyId: b.id, ok: false }], { error: 'stream cut' });
    const gone = rec('k-4', '2026-11-22T06:00:00.000Z', [{ keyId: 2_000_000_000, ok: true }]);
    await consumer.store([failover, direct, failover, broken, gone]);
    await consumer.store([failover, broken]); // redelivery
    expect(await prisma.requestLog.count()).toBe(4);
    const counters = async (id: number) => {
      const k = await prisma.channelKey.findUniqueOrThrow({ where: { id } });
      return { requests: k.requests, errors: k.errors, inputTokens: k.inputTokens, outputTokens: k.outputTokens, lastUsedAt: k.lastUsedAt };
    };
    expect(await counters(a.id)).toEqual({ requests: 2n, errors: 0n, inputTokens: 11n, outputTokens: 6n, lastUsedAt: new Date('2026-11-22T06:00:00.000Z') });
    expect(await counters(b.id)).toEqual({ requests: 2n, errors: 2n, inputTokens: 10n, outputTokens: 4n, lastUsedAt: new Date('2026-11-22T06:00:00.000Z') });
    await prisma.channel.delete({ where: { id: ch.id } });
  });

  it('deletes logs older than the retention in batches, and nothing newer', async () => {
    await prisma.requestLog.deleteMany();
    const old = Array.from({ length: 23 }, () => log(31 * DAY));
    const fresh = Array.from({ length: 5 }, () => log(29 * DAY));
    await prisma.requestLog.createMany({ data: [...old, ...fresh] });
    const retention = new LogRetentionService(new RequestLogRepository(prisma), { LOG_RETENTION_DAYS: 30 } as AppConfig);
    const executeRaw = jest.spyOn(prisma, '$executeRaw');
    expect(await retention.sweep(30, 10)).toBe(23);
    expect(executeRaw).toHaveBeenCalledTimes(3); // 10 + 10 + 3
    executeRaw.mockRestore();
    const left = await prisma.requestLog.findMany({ select: { requestId: true } });
    expect(left.map((r) => r.requestId).sort()).toEqual(fresh.map((r) => r.requestId).sort());
    expect(await retention.sweep()).toBe(0);
  });
  it('stores the bodies of opted-in records once in request_bodies, reads them with the log, and prunes them on their own retention', async () => {
    await prisma.requestLog.deleteMany();
    await prisma.requestBody.deleteMany();
    const repo = new RequestLogRepository(prisma);
    const consumer = new UsageLogConsumer(repo, new UsageDeadLetterRepository(prisma), { consume: async () => undefined } as unknown as UsageQueue);
    const rec = (requestId: string, createdAt: string, bodies: UsageRecord['bodies']): UsageRecord => ({
      requestId,
      createdAt,
      tokenId: 1,
      userId: 1,
      group: 'default',
      model: 'm',
      upstreamModel: null,
      channelId: null,
      protocol: 'openai-chat',
      upstreamProtocol: null,
      stream: false,
      status: 200,
      promptTokens: 1,
      completionTokens: 1,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
      costMicros: 0,
      latencyMs: 1,
      ttftMs: null,
      attempts: 1,
      error: null,
      reservedMicros: 0,
      endpoint: 'chat.completions',
      units: null,
      keyAttempts: [],
      plugins: null,
      bodies,
    });
    const now = new Date().toISOString();
    const old = new Date(Date.now() - 8 * DAY).toISOString();
    const tricky = { request: '{"q":"it\'s \\"quoted\\" ✓"}', response: 'data: {"x":1}\n\ndata: [DONE]\n\n', truncated: true };
    await consumer.store([rec('b-new', now, tricky), rec('b-none', now, null), rec('b-old', old, { request: '{}', response: null, truncated: false })]);
    // delivered again: nothing stored twice, nothing overwritten
    await consumer.store([rec('b-new', now, { request: 'other', response: null, truncated: false })]);
    expect(await repo.findBodies('b-new')).toEqual(tricky);
    expect(await repo.findBodies('b-none')).toBeNull();
    expect(await prisma.requestBody.count()).toBe(2);
    // bodies keep LOG_BODY_RETENTION_DAYS, apart from the logs' own retention
    const retention = new LogRetentionService(repo, { LOG_RETENTION_DAYS: 30, LOG_BODY_RETENTION_DAYS: 7 } as AppConfig);
    expect(await retention.sweepBodies()).toBe(1);
    expect(await repo.findBodies('b-old')).toBeNull();
    expect(await repo.findBodies('b-new')).toEqual(tricky);
    expect(await prisma.requestLog.count({ where: { requestId: 'b-old' } })).toBe(1);
  });
});
