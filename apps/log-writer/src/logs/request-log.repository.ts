import { Injectable } from '@nestjs/common';
import type { UsageRecord } from '@switchboard/contracts';
import { Prisma, PrismaService, readSnapshot, type RequestLog } from '@switchboard/db';

export interface RequestLogFilter {
  tokenId?: number;
  userId?: number;
  channelId?: number;
  status?: number;
  model?: string;
  from?: Date;
  to?: Date;
}

/** A keyset position: the page starts strictly after this (createdAt, requestId), newest first. */
export interface RequestLogCursor {
  createdAt: Date;
  requestId: string;
}

/** What the log services need of request_logs; unit tests implement it in memory. */
export type RequestLogs = Pick<RequestLogRepository, keyof RequestLogRepository>;

/** The SQL of request_logs: batch inserts from the usage queue, admin reads, retention deletes. */
@Injectable()
export class RequestLogRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Stores the records the table does not hold yet (the request id is the primary key); returns how many it stored. */
  async insertNew(records: readonly UsageRecord[]): Promise<number> {
    // One statement with one parameter: the batch as a JSON array of rows, spread by json_populate_recordset into the
    // table's own column types. Prisma's createMany built and checked every field of every row in JS (and its query
    // compiler): the largest CPU cost of usage records on the gateway's event loop in standalone.
    const rows = requestLogRows(records);
    return this.prisma.$executeRaw`
      INSERT INTO request_logs (${COLUMN_LIST})
      SELECT ${COLUMN_LIST} FROM json_populate_recordset(NULL::request_logs, ${rows}::json)
      ON CONFLICT ("requestId") DO NOTHING`;
  }

  /** Up to `take` logs newest first (after `cursor` if given), and the count over the whole filter, in one snapshot. */
  async page(filter: RequestLogFilter, cursor: RequestLogCursor | null, take: number): Promise<{ rows: RequestLog[]; total: number }> {
    const where: Prisma.RequestLogWhereInput = {
      tokenId: filter.tokenId,
      userId: filter.userId,
      channelId: filter.channelId,
      status: filter.status,
      model: filter.model,
      createdAt: filter.from || filter.to ? { gte: filter.from, lte: filter.to } : undefined,
    };
    const page: Prisma.RequestLogWhereInput = { ...where };
    if (cursor) {
      page.AND = [{ OR: [{ createdAt: { lt: cursor.createdAt } }, { createdAt: cursor.createdAt, requestId: { lt: cursor.requestId } }] }];
    }
    return readSnapshot(this.prisma, async (tx) => ({
      rows: await tx.requestLog.findMany({ where: page, orderBy: [{ createdAt: 'desc' }, { requestId: 'desc' }], take }),
      total: await tx.requestLog.count({ where }),
    }));
  }

  async find(requestId: string): Promise<RequestLog | null> {
    return this.prisma.requestLog.findUnique({ where: { requestId } });
  }

  /** Deletes up to `batch` logs older than `days` days (one statement); returns how many it deleted. */
  async deleteOlderThan(days: number, batch: number): Promise<number> {
    return this.prisma.$executeRaw`
      DELETE FROM request_logs WHERE "requestId" IN (
        SELECT "requestId" FROM request_logs
        WHERE "createdAt" < (now() AT TIME ZONE 'UTC') - make_interval(days => ${days}::int)
        LIMIT ${batch}::int)`;
  }
}

/** request_logs' columns, each written from the field of the same name */
const COLUMNS = [
  'requestId',
  'createdAt',
  'tokenId',
  'userId',
  'group',
  'model',
  'upstreamModel',
  'channelId',
  'protocol',
  'upstreamProtocol',
  'stream',
  'status',
  'promptTokens',
  'completionTokens',
  'cacheReadTokens',
  'cacheWriteTokens',
  'reasoningTokens',
  'costMicros',
  'latencyMs',
  'ttftMs',
  'attempts',
  'error',
  'endpoint',
  'units',
] as const satisfies readonly (keyof UsageRecord)[];
const COLUMN_LIST = Prisma.raw(COLUMNS.map((c) => `"${c}"`).join(', '));

/** A batch as a JSON array of request_logs rows: createdAt in UTC ISO (the column holds UTC, as Prisma writes it). */
function requestLogRows(records: readonly UsageRecord[]): string {
  // Only the table's columns, picked per row: a replacer array would also filter the keys inside `units`.
  return JSON.stringify(
    records.map((r) => {
      const row: Record<string, unknown> = {};
      for (const c of COLUMNS) row[c] = c === 'createdAt' ? new Date(r.createdAt).toISOString() : r[c];
      return row;
    }),
  );
}
