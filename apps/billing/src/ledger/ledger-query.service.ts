import { Injectable } from '@nestjs/common';
import type { AdminReply } from '@switchboard/contracts';
import { PrismaService, microsToUsd, type Prisma } from '@switchboard/db';
import { z } from 'zod';

const optInt = z.coerce.number().int().optional();
const LedgerQuery = z.object({
  userId: optInt,
  tokenId: optInt,
  kind: z.enum(['usage', 'topup', 'redemption', 'adjustment']).optional(),
  requestId: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

/** `GET /api/ledger`: the entries behind every balance, newest first, with the exact sum over the filter. */
@Injectable()
export class LedgerQueryService {
  constructor(private readonly prisma: PrismaService) {}

  async list(query: Record<string, string>): Promise<AdminReply> {
    const q = LedgerQuery.parse(query);
    const where: Prisma.LedgerEntryWhereInput = { userId: q.userId, tokenId: q.tokenId, kind: q.kind, requestId: q.requestId };
    const [rows, agg] = await Promise.all([
      this.prisma.ledgerEntry.findMany({ where, orderBy: { id: 'desc' }, take: q.limit, skip: q.offset }),
      this.prisma.ledgerEntry.aggregate({ where, _count: { _all: true }, _sum: { amountMicros: true } }),
    ]);
    return {
      status: 200,
      body: {
        data: rows.map((e) => ({
          id: Number(e.id),
          userId: e.userId,
          tokenId: e.tokenId,
          requestId: e.requestId,
          kind: e.kind,
          amount: microsToUsd(e.amountMicros),
          createdAt: e.createdAt.toISOString(),
        })),
        total: agg._count._all,
        sum: microsToUsd(agg._sum.amountMicros ?? 0n),
      },
    };
  }
}
