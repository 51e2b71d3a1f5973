import { Injectable } from '@nestjs/common';
import type { StatsQuery } from '@switchboard/contracts';
import { Prisma, PrismaService, microsToUsd } from '@switchboard/db';
import type { z } from 'zod';

interface Row {
  key: string | number | null;
  requests: bigint;
  promptTokens: bigint;
  completionTokens: bigint;
  cacheReadTokens: bigint;
  cacheWriteTokens: bigint;
  costMicros: bigint;
  errors: bigint;
  p50: number | null;
  p95: number | null;
}

/**
 * A request counts as an error when it failed (HTTP ≥ 400) or a stream ended with an upstream error after it had
 * started (status 200 with an error message). A client that went away (499) is not the gateway's error.
 */
const IS_ERROR = Prisma.sql`(("status" >= 400 AND "status" <> 499) OR ("status" < 400 AND "error" IS NOT NULL))`;

/** UTC midnight N-1 days ago, computed by the database (createdAt is a UTC `timestamp` without zone). */
const sinceSql = (days: number) => Prisma.sql`(date_trunc('day', now() AT TIME ZONE 'UTC') - make_interval(days => ${days - 1}::int))`;

const GROUPINGS = {
  totals: Prisma.sql`NULL::text`,
  day: Prisma.sql`to_char("createdAt", 'YYYY-MM-DD')`,
  model: Prisma.sql`"model"`,
  channel: Prisma.sql`"channelId"`,
  user: Prisma.sql`"userId"`,
} as const;

/**
 * `GET /api/stats?days=N`: request logs of the last N UTC days (today included), in total and per day, model,
 * channel and user. Costs are summed as integer micro-USD in SQL and converted once, so `totals.cost` equals the
 * ledger's usage debits to the micro-dollar. Latency percentiles come from percentile_cont.
 */
@Injectable()
export class LogStatsService {
  constructor(private readonly prisma: PrismaService) {}

  async stats(q: z.output<typeof StatsQuery>) {
    const [{ since }] = await this.prisma.$queryRaw<{ since: string }[]>`SELECT to_char(${sinceSql(q.days)}, 'YYYY-MM-DD') AS since`;
    const [totals, byDay, byModel, byChannel, topUsers] = await Promise.all([
      this.aggregate('totals', q.days),
      this.aggregate('day', q.days),
      this.aggregate('model', q.days),
      this.aggregate('channel', q.days),
      this.aggregate('user', q.days, q.top),
    ]);
    const first = Date.parse(`${since}T00:00:00.000Z`);
    const days: string[] = [];
    for (let i = 0; i < q.days; i++) days.push(new Date(first + i * 86_400_000).toISOString().slice(0, 10));
    const dayRows = new Map(byDay.map((r) => [String(r.key), r]));
    const byCost = (a: Row, b: Row) => (a.costMicros === b.costMicros ? Number(b.requests - a.requests) : a.costMicros < b.costMicros ? 1 : -1);
    return {
      days: q.days,
      from: new Date(first).toISOString(),
      totals: view(totals[0]),
      byDay: days.map((date) => ({ date, ...view(dayRows.get(date)) })),
      byModel: byModel.sort(byCost).map((r) => ({ model: r.key, ...view(r) })),
      byChannel: byChannel.sort(byCost).map((r) => ({ channelId: r.key === null ? null : Number(r.key), ...view(r) })),
      topUsers: topUsers.map((r) => ({ userId: r.key === null ? null : Number(r.key), ...view(r) })),
    };
  }

  private aggregate(by: keyof typeof GROUPINGS, days: number, limit?: number): Promise<Row[]> {
    const key = GROUPINGS[by];
    const group = by === 'totals' ? Prisma.empty : Prisma.sql`GROUP BY 1`;
    const tail = limit ? Prisma.sql`ORDER BY "costMicros" DESC, requests DESC, 1 LIMIT ${limit}` : Prisma.empty;
    const filter = by === 'user' ? Prisma.sql`AND "userId" IS NOT NULL` : Prisma.empty;
    return this.prisma.$queryRaw<Row[]>`
      SELECT ${key} AS key,
        count(*)::bigint AS requests,
        COALESCE(sum("promptTokens"), 0)::bigint AS "promptTokens",
        COALESCE(sum("completionTokens"), 0)::bigint AS "completionTokens",
        COALESCE(sum("cacheReadTokens"), 0)::bigint AS "cacheReadTokens",
        COALESCE(sum("cacheWriteTokens"), 0)::bigint AS "cacheWriteTokens",
        COALESCE(sum("costMicros"), 0)::bigint AS "costMicros",
        (count(*) FILTER (WHERE ${IS_ERROR}))::bigint AS errors,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY "latencyMs") AS p50,
        percentile_cont(0.95) WITHIN GROUP (ORDER BY "latencyMs") AS p95
      FROM request_logs
      WHERE "createdAt" >= ${sinceSql(days)} ${filter}
      ${group} ${tail}`;
  }
}

function view(r: Row | undefined) {
  const requests = Number(r?.requests ?? 0n);
  return {
    requests,
    promptTokens: Number(r?.promptTokens ?? 0n),
    completionTokens: Number(r?.completionTokens ?? 0n),
    cacheReadTokens: Number(r?.cacheReadTokens ?? 0n),
    cacheWriteTokens: Number(r?.cacheWriteTokens ?? 0n),
    cost: microsToUsd(r?.costMicros ?? 0n),
    errorRate: requests ? Number(r!.errors) / requests : 0,
    latencyP50Ms: r?.p50 === null || r?.p50 === undefined ? null : Math.round(r.p50),
    latencyP95Ms: r?.p95 === null || r?.p95 === undefined ? null : Math.round(r.p95),
  };
}
