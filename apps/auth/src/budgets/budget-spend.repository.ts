import { Injectable } from '@nestjs/common';
import { PrismaService } from '@switchboard/db';

export type BudgetScope = 'user' | 'token' | 'group';

/** What budgets read of the ledger; unit tests implement it in memory. */
export type BudgetSpends = Pick<BudgetSpendRepository, keyof BudgetSpendRepository>;

/**
 * A budget's spend in its current period, from the durable ledger (usage entries, by billing time): the seed of the
 * gateways' period counters and what the admin API shows. A group's spend is its tokens' (their own group, else
 * their user's, as admission applies it).
 */
@Injectable()
export class BudgetSpendRepository {
  constructor(private readonly prisma: PrismaService) {}

  async spentMicros(scope: BudgetScope, id: number | string, since: Date): Promise<number> {
    const rows =
      scope === 'user'
        ? await this.prisma.$queryRaw<{ s: bigint }[]>`
            SELECT COALESCE(-SUM("amountMicros"), 0)::bigint AS s FROM ledger_entries
            WHERE kind = 'usage' AND "userId" = ${Number(id)} AND "createdAt" >= ${since}`
        : scope === 'token'
          ? await this.prisma.$queryRaw<{ s: bigint }[]>`
            SELECT COALESCE(-SUM("amountMicros"), 0)::bigint AS s FROM ledger_entries
            WHERE kind = 'usage' AND "tokenId" = ${Number(id)} AND "createdAt" >= ${since}`
          : await this.prisma.$queryRaw<{ s: bigint }[]>`
            SELECT COALESCE(-SUM(l."amountMicros"), 0)::bigint AS s FROM ledger_entries l
            JOIN tokens t ON t.id = l."tokenId" JOIN users u ON u.id = t."userId"
            WHERE l.kind = 'usage' AND COALESCE(t."group", u."group") = ${String(id)} AND l."createdAt" >= ${since}`;
    return Math.max(0, Number(rows[0]?.s ?? 0));
  }
}
