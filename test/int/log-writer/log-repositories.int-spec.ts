import os from 'node:os';
import type { UsageRecord } from '@switchboard/contracts';
import { openDatabase, recordAudit, type Database, type PrismaService } from '@switchboard/db';
import { AuditLogRepository } from '../../../apps/log-writer/src/audit/audit-log.repository';
import { RequestLogRepository } from '../../../apps/log-writer/src/logs/request-log.repository';
import { LogStatsRepository } from '../../../apps/log-writer/src/stats/log-stats.repository';
import { UsageDeadLetterRepository } from '../../../apps/log-writer/src/usage/usage-dead-letter.repository';
import { usageRecord } from '../billing/billing-fixtures';
import { committingBetweenStatements } from '../db/between-statements';
import { createThrowawayDatabase, describePostgres, type ThrowawayDatabase } from '../db/harness';

jest.setTimeout(60_000);

/**
 * log-writer's reads on real Postgres: filters, keyset and offset paging, totals. Inserts, stats and retention are
 * driven through their services in test/int/billing/log-store.int-spec.ts and usage-dead-letters.int-spec.ts.
 */
describePostgres('log-writer repositories on Postgres', () => {
  let tdb: ThrowawayDatabase;
  let db: Database;
  let prisma: PrismaService;

  beforeAll(async () => {
    tdb = await createThrowawayDatabase();
    db = await openDatabase({ databaseUrl: tdb.url, dataDir: os.tmpdir(), migrate: true, seed: true });
    prisma = db.prisma;
  });

  afterAll(async () => {
    await db?.close();
    await tdb?.drop();
  });

  it('request logs: filtered, newest first, continued after a cursor (ties broken by request id), with the total', async () => {
    const logs = new RequestLogRepository(prisma);
    const at = (requestId: string, createdAt: string, userId: number) => ({ ...usageRecord(requestId, userId, 1, 10), createdAt });
    expect(
      await logs.insertNew([
        at('a', '2026-01-01T00:00:00Z', 1),
        at('b', '2026-01-01T00:00:00Z', 1),
        at('c', '2026-01-02T00:00:00Z', 1),
        at('x', '2026-01-03T00:00:00Z', 2),
      ]),
    ).toBe(4);
    expect(await logs.insertNew([at('a', '2026-01-01T00:00:00Z', 1)])).toBe(0);
    const first = await logs.page({ userId: 1 }, null, 2);
    expect(first.rows.map((r) => r.requestId)).toEqual(['c', 'b']);
    expect(first.total).toBe(3);
    const next = await logs.page({ userId: 1 }, { createdAt: first.rows[1].createdAt, requestId: 'b' }, 2);
    expect(next).toMatchObject({ rows: [{ requestId: 'a' }], total: 3 });
    const window = await logs.page({ from: new Date('2026-01-02T00:00:00Z'), to: new Date('2026-01-02T23:59:59Z') }, null, 10);
    expect(window.rows.map((r) => r.requestId)).toEqual(['c']);
    expect((await logs.find('x'))?.userId).toBe(2);
    expect(await logs.find('none')).toBeNull();
  });

  it('request logs: filtered by endpoint family, exactly; stats sum each family and its units', async () => {
    const logs = new RequestLogRepository(prisma);
    const now = new Date().toISOString();
    const rec = (requestId: string, endpoint: string | null, units: UsageRecord['units'], costMicros = 0) => ({
      ...usageRecord(requestId, 9, 1, costMicros),
      createdAt: now,
      endpoint,
      units,
    });
    await logs.insertNew([
      rec('ep-img-1', 'images.generations', { images: 2 }, 80_000),
      rec('ep-img-2', 'images.generations', { images: 1 }, 40_000),
      rec('ep-edit', 'images.edits', { images: 1 }),
      rec('ep-stt', 'audio.transcriptions', { audioSeconds: 90.5 }),
      rec('ep-tts', 'audio.speech', { characters: 1200 }),
      rec('ep-rr', 'rerank', { searchUnits: 3 }),
      rec('ep-old', null, null),
    ]);
    const images = await logs.page({ endpoint: 'images.generations', userId: 9 }, null, 10);
    expect([images.rows.map((r) => r.requestId).sort(), images.total]).toEqual([['ep-img-1', 'ep-img-2'], 2]);
    expect(images.rows.find((r) => r.requestId === 'ep-img-1')).toMatchObject({ endpoint: 'images.generations', units: { images: 2 } });
    expect((await logs.page({ endpoint: 'images', userId: 9 }, null, 10)).total).toBe(0);
    expect((await logs.page({ endpoint: 'audio.transcriptions', userId: 9 }, null, 10)).rows).toMatchObject([{ units: { audioSeconds: 90.5 } }]);

    const byEndpoint = new Map(
      (await new LogStatsRepository(prisma).aggregate('endpoint', 1)).map((r) => [
        r.key,
        [Number(r.requests), Number(r.costMicros), r.images, r.audioSeconds, r.characters, r.searchUnits],
      ]),
    );
    expect(byEndpoint.get('images.generations')).toEqual([2, 120_000, 3, 0, 0, 0]);
    expect(byEndpoint.get('audio.transcriptions')).toEqual([1, 0, 0, 90.5, 0, 0]);
    expect(byEndpoint.get('audio.speech')).toEqual([1, 0, 0, 0, 1200, 0]);
    expect(byEndpoint.get('rerank')).toEqual([1, 0, 0, 0, 0, 3]);
    expect(byEndpoint.get(null)?.[0]).toBeGreaterThanOrEqual(1);
  });

  it('request logs: every column round-trips (quotes, backslashes, newlines, non-ASCII), and units/plugins keep only their own keys', async () => {
    const logs = new RequestLogRepository(prisma);
    const error = 'upstream said "no" \\ twice\nthen é 😀';
    await logs.insertNew([
      {
        ...usageRecord('rt-1', 9, 1, 123),
        model: 'm"odel\\x',
        error,
        ttftMs: 17,
        stream: true,
        units: { images: 2, bogus: 5 } as unknown as UsageRecord['units'],
        plugins: { cache: 'hit', nope: 'x' } as unknown as UsageRecord['plugins'],
      },
    ]);
    const row = await logs.find('rt-1');
    expect(row).toMatchObject({ model: 'm"odel\\x', error, ttftMs: 17, stream: true, costMicros: 123n, units: { images: 2 }, plugins: { cache: 'hit' } });
    expect(row?.units).toEqual({ images: 2 });
    expect(row?.plugins).toEqual({ cache: 'hit' });
  });

  it('stats: the window starts at UTC midnight days-1 ago, by the database clock', async () => {
    const since = await new LogStatsRepository(prisma).since(3);
    const now = new Date();
    expect(since).toBe(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - 2)).toISOString().slice(0, 10));
  });

  it('audit log: filtered by entity, actor and time, newest first, offset paging with the total', async () => {
    for (const [actor, entityId] of [
      ['ann', 'p1'],
      ['bob', 'p2'],
      ['ann', 'p3'],
    ]) {
      await recordAudit(prisma, { actor, action: 'create', entity: 'price', entityId });
    }
    const audit = new AuditLogRepository(prisma);
    const page = await audit.page({ entity: 'price', actor: 'ann' }, 1, 0);
    expect(page.rows.map((r) => r.entityId)).toEqual(['p3']);
    expect(page.total).toBe(2);
    expect((await audit.page({ entity: 'price', actor: 'ann' }, 1, 1)).rows.map((r) => r.entityId)).toEqual(['p1']);
    expect((await audit.page({ entity: 'price', from: new Date(Date.now() + 60_000) }, 10, 0)).total).toBe(0);
  });

  it('dead letters: kept once per consumer and request, filtered by consumer', async () => {
    const letters = new UsageDeadLetterRepository(prisma);
    expect(await letters.store('billing-usage', [{ record: { requestId: 'd1' }, error: 'e' }])).toBe(1);
    expect(await letters.store('billing-usage', [{ record: { requestId: 'd1' }, error: 'e' }])).toBe(0);
    expect(await letters.store('log-writer-usage', [{ record: { requestId: 'd1' }, error: 'e' }])).toBe(1);
    const billing = await letters.page({ consumer: 'billing-usage' }, 10, 0);
    expect(billing).toMatchObject({ total: 1, rows: [{ requestId: 'd1', consumer: 'billing-usage' }] });
    expect((await letters.page({ requestId: 'd1' }, 10, 0)).total).toBe(2);
  });

  describe('each list reads its page and its total in one snapshot: a row committed between its statements is in neither', () => {
    let seq = 0;
    it('request logs', async () => {
      const commit = () => new RequestLogRepository(prisma).insertNew([usageRecord(`snap-${++seq}`, 77, 1, 10)]);
      await commit();
      const page = await new RequestLogRepository(committingBetweenStatements(prisma, commit)).page({ userId: 77 }, null, 500);
      expect(page.total).toBe(page.rows.length);
      expect((await new RequestLogRepository(prisma).page({ userId: 77 }, null, 500)).total).toBeGreaterThan(page.total); // the commits did happen
    });

    it('audit log', async () => {
      const commit = () => recordAudit(prisma, { actor: 'snap', action: 'create', entity: 'price', entityId: `snap-${++seq}` });
      await commit();
      const page = await new AuditLogRepository(committingBetweenStatements(prisma, commit)).page({ actor: 'snap' }, 500, 0);
      expect(page.total).toBe(page.rows.length);
      expect((await new AuditLogRepository(prisma).page({ actor: 'snap' }, 500, 0)).total).toBeGreaterThan(page.total);
    });

    it('dead letters', async () => {
      const commit = () => new UsageDeadLetterRepository(prisma).store('snap-consumer', [{ record: { requestId: `snap-${++seq}` }, error: 'e' }]);
      await commit();
      const page = await new UsageDeadLetterRepository(committingBetweenStatements(prisma, commit)).page({ consumer: 'snap-consumer' }, 500, 0);
      expect(page.total).toBe(page.rows.length);
      expect((await new UsageDeadLetterRepository(prisma).page({ consumer: 'snap-consumer' }, 500, 0)).total).toBeGreaterThan(page.total);
    });
  });
});
