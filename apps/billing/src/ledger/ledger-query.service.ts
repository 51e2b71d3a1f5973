import { Injectable } from '@nestjs/common';
import type { LedgerListQuery } from '@switchboard/contracts';
import { PrismaService, microsToUsd, type Prisma } from '@switchboard/db';
import type { z } from 'zod';

/** `GET /api/ledger`: the entries behind every balance, newest first, with the exact sum over the filter. */
@Injectable()
export class LedgerQueryService {
  constructor(private readonly prisma: PrismaService) {}

  async list(q: z.output<typeof LedgerListQuery>) {
    const where: Prisma.LedgerEntryWhereInput = { userId: q.userId, tokenId: q.tokenId, kind: q.kind, requestId: q.requestId };
    const [rows, agg] = await Promise.all([
      this.prisma.ledgerEntry.findMany({ where, orderBy: { id: 'desc' }, take: q.limit, skip: q.offset }),
      this.prisma.ledgerEntry.aggregate({ where, _count: { _all: true }, _sum: { amountMicros: true } }),
    ]);
    return {
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
    };
  }
}
