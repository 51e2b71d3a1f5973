import { Injectable } from '@nestjs/common';
import { Prisma, PrismaService } from '@switchboard/db';

/** One group's sums over request_logs (bigints as Postgres counts them). */
export interface LogAggregate {
  key: string | number | null;
  requests: bigint;
  promptTokens: bigint;
  completionTokens: bigint;
  cacheReadTokens: bigint;
  cacheWriteTokens: bigint;
  costMicros: bigint;
  errors: bigint;
  /** the units billed (SPEC §8 `units`), summed */
  images: number;
  audioSeconds: number;
  characters: number;
  searchUnits: number;
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
  endpoint: Prisma.sql`"endpoint"`,
} as const;

/** The sum of one unit of the `units` column (absent: 0). */
const unitSum = (unit: 'images' | 'audioSeconds' | 'characters' | 'searchUnits') => Prisma.sql`COALESCE(sum(("units"->>${unit})::float8), 0)::float8`;

export type LogGrouping = keyof typeof GROUPINGS;

/** What the stats service needs of request_logs; unit tests implement it in memory. */
export type LogAggregates = Pick<LogStatsRepository, keyof LogStatsRepository>;

/** The statistics' SQL over request_logs: integer sums and latency percentiles (percentile_cont) per grouping. */
@Injectable()
export class LogStatsRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** The first UTC day (YYYY-MM-DD) of the last `days` days, today included, by the database's clock. */
  async since(days: number): Promise<string> {
    const [{ since }] = await this.prisma.$queryRaw<{ since: string }[]>`SELECT to_char(${sinceSql(days)}, 'YYYY-MM-DD') AS since`;
    return since;
  }

  /**
   * Logs of the last `days` days (of one user when `userId` is given, of one organisation's users when `orgId` is)
   * grouped `by`; for `user`, only the `limit` most costly users (logs with one).
   */
  async aggregate(by: LogGrouping, days: number, limit?: number, userId?: number, orgId?: number): Promise<LogAggregate[]> {
    const key = GROUPINGS[by];
    const group = by === 'totals' ? Prisma.empty : Prisma.sql`GROUP BY 1`;
    const tail = limit ? Prisma.sql`ORDER BY "costMicros" DESC, requests DESC, 1 LIMIT ${limit}` : Prisma.empty;
    const orgFilter = orgId !== undefined ? Prisma.sql`AND "userId" IN (SELECT id FROM users WHERE "orgId" = ${orgId})` : Prisma.empty;
    const filter = userId !== undefined ? Prisma.sql`AND "userId" = ${userId}` : by === 'user' ? Prisma.sql`AND "userId" IS NOT NULL` : Prisma.empty;
    return this.prisma.$queryRaw<LogAggregate[]>`
      SELECT ${key} AS key,
        count(*)::bigint AS requests,
        COALESCE(sum("promptTokens"), 0)::bigint AS "promptTokens",
        COALESCE(sum("completionTokens"), 0)::bigint AS "completionTokens",
        COALESCE(sum("cacheReadTokens"), 0)::bigint AS "cacheReadTokens",
        COALESCE(sum("cacheWriteTokens"), 0)::bigint AS "cacheWriteTokens",
        COALESCE(sum("costMicros"), 0)::bigint AS "costMicros",
        (count(*) FILTER (WHERE ${IS_ERROR}))::bigint AS errors,
        ${unitSum('images')} AS images,
        ${unitSum('audioSeconds')} AS "audioSeconds",
        ${unitSum('characters')} AS characters,
        ${unitSum('searchUnits')} AS "searchUnits",
        percentile_cont(0.5) WITHIN GROUP (ORDER BY "latencyMs") AS p50,
        percentile_cont(0.95) WITHIN GROUP (ORDER BY "latencyMs") AS p95
      FROM request_logs
      WHERE "createdAt" >= ${sinceSql(days)} ${filter} ${orgFilter}
      ${group} ${tail}`;
  }
}
