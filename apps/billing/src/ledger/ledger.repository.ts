import { Injectable } from '@nestjs/common';
import { PrismaService, type LedgerEntry, type Prisma } from '@switchboard/db';

export interface LedgerFilter {
  userId?: number;
  tokenId?: number;
  kind?: 'usage' | 'topup' | 'redemption' | 'adjustment';
  requestId?: string;
}

export interface LedgerPage {
  /** newest first */
  rows: LedgerEntry[];
  /** entries matching the filter, and their sum, in the same snapshot as `rows` */
  total: number;
  sumMicros: bigint;
}

/** What the ledger query needs of the ledger; unit tests implement it in memory. */
export type LedgerReader = Pick<LedgerRepository, keyof LedgerRepository>;

/** Reads of ledger_entries (writes are in usage-ledger.repository.ts and balance.repository.ts). */
@Injectable()
export class LedgerRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * One page and the count and sum over the whole filter, read in one REPEATABLE READ snapshot: two statements in
   * READ COMMITTED let a bill commit between them (a total counting a row the page does not show).
   */
  async page(filter: LedgerFilter, limit: number, offset: number): Promise<LedgerPage> {
    const where: Prisma.LedgerEntryWhereInput = { userId: filter.userId, tokenId: filter.tokenId, kind: filter.kind, requestId: filter.requestId };
    return this.prisma.$transaction(
      async (tx) => {
        await tx.$executeRaw`SET TRANSACTION READ ONLY`;
        const rows = await tx.ledgerEntry.findMany({ where, orderBy: { id: 'desc' }, take: limit, skip: offset });
        const agg = await tx.ledgerEntry.aggregate({ where, _count: { _all: true }, _sum: { amountMicros: true } });
        return { rows, total: agg._count._all, sumMicros: agg._sum.amountMicros ?? 0n };
      },
      { isolationLevel: 'RepeatableRead' },
    );
  }
}
