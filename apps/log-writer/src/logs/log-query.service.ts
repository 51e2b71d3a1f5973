import { Injectable } from '@nestjs/common';
import { badRequest, notFound, type LogListQuery } from '@switchboard/contracts';
import { PrismaService, microsToUsd, type Prisma, type RequestLog } from '@switchboard/db';
import type { z } from 'zod';

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
});

/** Cursor = base64url of "<createdAt ISO>|<requestId>": keyset pagination, stable while records are added. */
function decodeCursor(cursor: string): { createdAt: Date; requestId: string } {
  const [iso, requestId] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const createdAt = new Date(iso ?? '');
  if (!requestId || Number.isNaN(createdAt.getTime())) throw badRequest('cursor: invalid', { field: 'cursor' });
  return { createdAt, requestId };
}

@Injectable()
export class LogQueryService {
  constructor(private readonly prisma: PrismaService) {}

  async list(q: z.output<typeof LogListQuery>) {
    const where: Prisma.RequestLogWhereInput = {
      tokenId: q.tokenId,
      userId: q.userId,
      channelId: q.channelId,
      status: q.status,
      model: q.model,
      createdAt: q.from || q.to ? { gte: q.from ? new Date(q.from) : undefined, lte: q.to ? new Date(q.to) : undefined } : undefined,
    };
    const page: Prisma.RequestLogWhereInput = { ...where };
    if (q.cursor) {
      const c = decodeCursor(q.cursor);
      page.AND = [{ OR: [{ createdAt: { lt: c.createdAt } }, { createdAt: c.createdAt, requestId: { lt: c.requestId } }] }];
    }
    const [rows, total] = await Promise.all([
      this.prisma.requestLog.findMany({ where: page, orderBy: [{ createdAt: 'desc' }, { requestId: 'desc' }], take: q.limit + 1 }),
      this.prisma.requestLog.count({ where }),
    ]);
    const more = rows.length > q.limit;
    const data = rows.slice(0, q.limit);
    const last = data[data.length - 1];
    const nextCursor = more && last ? Buffer.from(`${last.createdAt.toISOString()}|${last.requestId}`).toString('base64url') : null;
    return { data: data.map(logView), total, nextCursor };
  }

  async get(requestId: string | undefined) {
    const row = requestId ? await this.prisma.requestLog.findUnique({ where: { requestId } }) : null;
    if (!row) throw notFound('log');
    return logView(row);
  }
}
