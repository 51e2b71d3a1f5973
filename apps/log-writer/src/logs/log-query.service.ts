import { Inject, Injectable } from '@nestjs/common';
import { PluginsLogSchema, UnitsSchema, badRequest, notFound, type LogListQuery } from '@switchboard/contracts';
import { microsToUsd, type RequestLog } from '@switchboard/db';
import type { z } from 'zod';
import { RequestLogRepository, type RequestLogCursor, type RequestLogs } from './request-log.repository';

export const logView = (r: RequestLog) => ({
  requestId: r.requestId,
  createdAt: r.createdAt.toISOString(),
  tokenId: r.tokenId,
  userId: r.userId,
  group: r.group,
  model: r.model,
  upstreamModel: r.upstreamModel,
  channelId: r.channelId,
  protocol: r.protocol,
  upstreamProtocol: r.upstreamProtocol,
  stream: r.stream,
  status: r.status,
  promptTokens: r.promptTokens,
  completionTokens: r.completionTokens,
  cacheReadTokens: r.cacheReadTokens,
  cacheWriteTokens: r.cacheWriteTokens,
  reasoningTokens: r.reasoningTokens,
  cost: microsToUsd(r.costMicros),
  latencyMs: r.latencyMs,
  ttftMs: r.ttftMs,
  attempts: r.attempts,
  error: r.error,
  endpoint: r.endpoint,
  units: units(r.units),
  plugins: plugins(r.plugins),
});

/** The units column as the record had it; anything else (a hand-edited row) reads as none. */
function units(v: RequestLog['units']): z.output<typeof UnitsSchema> | null {
  const parsed = UnitsSchema.safeParse(v);
  return parsed.success ? parsed.data : null;
}

/** The plugins column as the record had it (plugin → what it did); anything else reads as none. */
function plugins(v: RequestLog['plugins']): z.output<typeof PluginsLogSchema> | null {
  const parsed = PluginsLogSchema.safeParse(v);
  return parsed.success ? parsed.data : null;
}

/** Cursor = base64url of "<createdAt ISO>|<requestId>": keyset pagination, stable while records are added. */
function decodeCursor(cursor: string): RequestLogCursor {
  const [iso, requestId] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const createdAt = new Date(iso ?? '');
  if (!requestId || Number.isNaN(createdAt.getTime())) throw badRequest('cursor: invalid', { field: 'cursor' });
  return { createdAt, requestId };
}

@Injectable()
export class LogQueryService {
  constructor(@Inject(RequestLogRepository) private readonly logs: RequestLogs) {}

  /** `orgId`: an org admin's call, confined to its organisation's users' logs. */
  async list(q: z.output<typeof LogListQuery>, orgId: number | null = null) {
    const filter = {
      orgId: orgId ?? undefined,
      tokenId: q.tokenId,
      userId: q.userId,
      channelId: q.channelId,
      status: q.status,
      model: q.model,
      endpoint: q.endpoint,
      from: q.from ? new Date(q.from) : undefined,
      to: q.to ? new Date(q.to) : undefined,
    };
    // One more than asked: whether there is a next page.
    const { rows, total } = await this.logs.page(filter, q.cursor ? decodeCursor(q.cursor) : null, q.limit + 1);
    const more = rows.length > q.limit;
    const data = rows.slice(0, q.limit);
    const last = data[data.length - 1];
    const nextCursor = more && last ? Buffer.from(`${last.createdAt.toISOString()}|${last.requestId}`).toString('base64url') : null;
    return { data: data.map(logView), total, nextCursor };
  }

  async get(requestId: string | undefined, orgId: number | null = null) {
    const row = requestId ? await this.logs.find(requestId, orgId ?? undefined) : null;
    if (!row) throw notFound('log');
    return { ...logView(row), bodies: await this.logs.findBodies(row.requestId) };
  }
}
