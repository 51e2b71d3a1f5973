import { Injectable } from '@nestjs/common';
import { PLUGIN_NAMES, UnitsSchema, type LoggedBodies, type UsageRecord } from '@switchboard/contracts';
import { Prisma, PrismaService, readSnapshot, type RequestLog } from '@switchboard/db';

export interface RequestLogFilter {
  tokenId?: number;
  userId?: number;
  channelId?: number;
  status?: number;
  model?: string;
  endpoint?: string;
  from?: Date;
  to?: Date;
  /** only logs of this organisation's users (what an org admin sees) */
  orgId?: number;
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

  /**
   * Stores the records the table does not hold yet (the request id is the primary key) and, in the same statement, adds
   * the attempts of exactly those records to their keys' counters (channel_keys: requests, errors, the answering key's
   * tokens, last use), so a redelivered batch counts nothing twice. Returns how many records it stored.
   */
  async insertNew(records: readonly UsageRecord[]): Promise<number> {
    // One statement with one parameter per table: the batch as a JSON array of rows, each row the columns' values in
    // order (see ROW_FIELDS). Prisma's createMany built and checked every field of every row in JS (and its query
    // compiler): the largest CPU cost of usage records on the gateway's event loop in standalone.
    const rows = requestLogRows(records);
    const attempts = keyAttemptRows(records);
    // Bodies first: idempotent by request id too, so a batch redelivered after a failure between the two stores nothing twice.
    if (records.some((r) => r.bodies)) await this.insertBodies(records);
    if (attempts === '[]') {
      return this.prisma.$executeRaw`
        INSERT INTO request_logs (${COLUMN_LIST})
        SELECT ${ROW_FIELDS} FROM jsonb_array_elements(${rows}::jsonb) AS r
        ON CONFLICT ("requestId") DO NOTHING`;
    }
    // A key deleted meanwhile matches no row: its attempts are dropped, never an error that would hold up the batch.
    const [{ stored }] = await this.prisma.$queryRaw<{ stored: number }[]>`
      WITH ins AS (
        INSERT INTO request_logs (${COLUMN_LIST})
        SELECT ${ROW_FIELDS} FROM jsonb_array_elements(${rows}::jsonb) AS r
        ON CONFLICT ("requestId") DO NOTHING
        RETURNING "requestId"
      ), attempt AS (
        SELECT a->>0 AS "requestId", (a->>1)::int AS "keyId", (a->>2)::boolean AS ok, (a->>3)::bigint AS "inputTokens",
               (a->>4)::bigint AS "outputTokens", (a->>5)::timestamp(3) AS "at"
        FROM jsonb_array_elements(${attempts}::jsonb) AS a
      ), per_key AS (
        SELECT a."keyId",
               count(*) AS requests,
               count(*) FILTER (WHERE NOT a.ok) AS errors,
               COALESCE(sum(a."inputTokens"), 0) AS input,
               COALESCE(sum(a."outputTokens"), 0) AS output,
               max(a."at") AS last_used
        FROM attempt a
        JOIN ins ON ins."requestId" = a."requestId"
        GROUP BY a."keyId"
      ), counted AS (
        UPDATE channel_keys k SET
          requests = k.requests + p.requests,
          errors = k.errors + p.errors,
          "inputTokens" = k."inputTokens" + p.input,
          "outputTokens" = k."outputTokens" + p.output,
          "lastUsedAt" = GREATEST(k."lastUsedAt", p.last_used)
        FROM per_key p WHERE k.id = p."keyId"
        RETURNING k.id
      )
      SELECT (SELECT count(*) FROM ins)::int AS stored, (SELECT count(*) FROM counted)::int AS keys`;
    return stored;
  }

  /** Up to `take` logs newest first (after `cursor` if given), and the count over the whole filter, in one snapshot. */
  async page(filter: RequestLogFilter, cursor: RequestLogCursor | null, take: number): Promise<{ rows: RequestLog[]; total: number }> {
    const where: Prisma.RequestLogWhereInput = {
      tokenId: filter.tokenId,
      userId: filter.userId,
      channelId: filter.channelId,
      status: filter.status,
      model: filter.model,
      endpoint: filter.endpoint,
      createdAt: filter.from || filter.to ? { gte: filter.from, lte: filter.to } : undefined,
    };
    const page: Prisma.RequestLogWhereInput = { ...where };
    if (cursor) {
      page.AND = [{ OR: [{ createdAt: { lt: cursor.createdAt } }, { createdAt: cursor.createdAt, requestId: { lt: cursor.requestId } }] }];
    }
    return readSnapshot(this.prisma, async (tx) => {
      if (filter.orgId !== undefined) {
        // request_logs holds no org: an org's logs are its users' (a user moved to another org takes its logs along)
        const members = await tx.user.findMany({ where: { orgId: filter.orgId }, select: { id: true } });
        const ofOrg = { userId: { in: members.map((m) => m.id) } };
        where.AND = [ofOrg];
        page.AND = [ofOrg, ...((page.AND as Prisma.RequestLogWhereInput[] | undefined) ?? [])];
      }
      return {
        rows: await tx.requestLog.findMany({ where: page, orderBy: [{ createdAt: 'desc' }, { requestId: 'desc' }], take }),
        total: await tx.requestLog.count({ where }),
      };
    });
  }

  /** One log; with `orgId`, only if its user belongs to that organisation. */
  async find(requestId: string, orgId?: number): Promise<RequestLog | null> {
    const row = await this.prisma.requestLog.findUnique({ where: { requestId } });
    if (!row || orgId === undefined) return row;
    const user = row.userId === null ? null : await this.prisma.user.findUnique({ where: { id: row.userId }, select: { orgId: true } });
    return user?.orgId === orgId ? row : null;
  }

  /** The request_bodies rows of the records that carry bodies (opted in), each once. */
  private async insertBodies(records: readonly UsageRecord[]): Promise<void> {
    const rows = records.filter((r) => r.bodies).map((r) => ({ requestId: r.requestId, createdAt: new Date(r.createdAt).toISOString(), ...r.bodies }));
    await this.prisma.$executeRaw`
      INSERT INTO request_bodies ("requestId", "createdAt", request, response, truncated)
      SELECT "requestId", "createdAt", request, response, truncated
      FROM json_populate_recordset(NULL::request_bodies, ${JSON.stringify(rows)}::json)
      ON CONFLICT ("requestId") DO NOTHING`;
  }

  /** A request's logged bodies; null when it logged none (not opted in, or pruned). */
  async findBodies(requestId: string): Promise<LoggedBodies | null> {
    const row = await this.prisma.requestBody.findUnique({ where: { requestId } });
    return row ? { request: row.request, response: row.response, truncated: row.truncated } : null;
  }

  /** Deletes up to `batch` logged bodies older than `days` days (one statement); returns how many it deleted. */
  async deleteBodiesOlderThan(days: number, batch: number): Promise<number> {
    return this.prisma.$executeRaw`
      DELETE FROM request_bodies WHERE "requestId" IN (
        SELECT "requestId" FROM request_bodies
        WHERE "createdAt" < (now() AT TIME ZONE 'UTC') - make_interval(days => ${days}::int)
        LIMIT ${batch}::int)`;
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

/** request_logs' columns, each written from the field of the same name, with the SQL type its JSON value is read as */
const COLUMNS = [
  ['requestId', 'text'],
  ['createdAt', 'timestamp(3)'],
  ['tokenId', 'int'],
  ['userId', 'int'],
  ['group', 'text'],
  ['model', 'text'],
  ['upstreamModel', 'text'],
  ['channelId', 'int'],
  ['protocol', 'text'],
  ['upstreamProtocol', 'text'],
  ['stream', 'boolean'],
  ['status', 'int'],
  ['promptTokens', 'int'],
  ['completionTokens', 'int'],
  ['cacheReadTokens', 'int'],
  ['cacheWriteTokens', 'int'],
  ['reasoningTokens', 'int'],
  ['costMicros', 'bigint'],
  ['latencyMs', 'int'],
  ['ttftMs', 'int'],
  ['attempts', 'int'],
  ['error', 'text'],
  ['endpoint', 'text'],
  ['units', 'jsonb'],
  ['plugins', 'jsonb'],
] as const satisfies readonly (readonly [keyof UsageRecord, string])[];
const FIELDS = COLUMNS.map(([c]) => c);
const COLUMN_LIST = Prisma.raw(FIELDS.map((c) => `"${c}"`).join(', '));
/**
 * A row's values read back by position from `r`, one element of the batch's JSON array: a text field with `->>` (a JSON
 * null is NULL), a JSON column as JSON (its JSON null is NULL too). Positional rows rather than objects: the embedded
 * database's cost of a batch grows with its bytes (the keys were 60 % of them) and objects are parsed into a hash per
 * row (bench/usage-store.mjs: the log store's CPU per record ≈ ×0.86).
 */
const ROW_FIELDS = Prisma.raw(
  COLUMNS.map(([, type], i) => (type === 'jsonb' ? `NULLIF(r->${i}, 'null')` : type === 'text' ? `r->>${i}` : `(r->>${i})::${type}`)).join(', '),
);

// JSON.stringify's key list applies to every object, at any depth: the rows are arrays, so it only keeps the `units`
// and `plugins` objects to their own keys.
const JSON_OBJECT_KEYS = [...Object.keys(UnitsSchema.shape), ...PLUGIN_NAMES];

/** A batch as a JSON array of request_logs rows (see ROW_FIELDS): createdAt in UTC ISO (the column holds UTC, as Prisma writes it). */
function requestLogRows(records: readonly UsageRecord[]): string {
  return JSON.stringify(
    records.map((r) => FIELDS.map((c) => (c === 'createdAt' ? new Date(r.createdAt).toISOString() : (r[c] ?? null)))),
    JSON_OBJECT_KEYS,
  );
}

/**
 * The key attempts of a batch as JSON rows, each record once (a batch may repeat a record): every attempt counts a
 * request (an error unless it went through); the record's tokens go to its last attempt, the one that answered.
 */
function keyAttemptRows(records: readonly UsageRecord[]): string {
  const seen = new Set<string>();
  // positional, like the log rows: requestId, keyId, ok, inputTokens, outputTokens, at
  const rows: [string, number, boolean, number, number, string][] = [];
  for (const r of records) {
    const attempts = r.keyAttempts ?? [];
    if (!attempts.length || seen.has(r.requestId)) continue;
    seen.add(r.requestId);
    const at = new Date(r.createdAt).toISOString();
    attempts.forEach((a, i) => {
      const last = i === attempts.length - 1;
      rows.push([r.requestId, a.keyId, a.ok, last ? r.promptTokens : 0, last ? r.completionTokens : 0, at]);
    });
  }
  return JSON.stringify(rows);
}
