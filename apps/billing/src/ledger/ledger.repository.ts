import { Injectable } from '@nestjs/common';
import { PrismaService, readSnapshot, type LedgerEntry, type Prisma } from '@switchboard/db';

export interface LedgerFilter {
  userId?: number;
  tokenId?: number;
  kind?: 'usage' | 'topup' | 'redemption' | 'adjustment' | 'stripe_topup' | 'stripe_refund' | 'stripe_dispute';
  requestId?: string;
}

export interface LedgerPage {
  /** newest first */
  rows: LedgerEntry[];
  /** entries matching the filter, and their sum, in the same snapshot as `rows` */
  total: number;
  sumMicros: bigint;
}

export interface Drift {
  account: 'user' | 'token';
  id: number;
  /** users.balanceMicros or tokens.usedQuotaMicros */
  recordedMicros: bigint;
  /** what the ledger says it should be (for a user: its adjustments + the sum of its entries) */
  ledgerMicros: bigint;
}

export interface AccountCheck {
  /** accounts compared (users: those with a limited balance) */
  checked: number;
  /** in id order */
  drifts: Drift[];
}

/** What the ledger query needs of the ledger; unit tests implement it in memory. */
export type LedgerReader = Pick<LedgerRepository, 'page'>;
/** What the ledger reconciler needs of the ledger. */
export type LedgerChecks = Pick<LedgerRepository, 'userDrifts' | 'tokenDrifts'>;

/**
 * Reads of ledger_entries (writes are in usage-ledger.repository.ts and balance.repository.ts). Each reconciliation
 * check is one statement, so it reads one snapshot and a bill committing meanwhile cannot look like drift.
 */
@Injectable()
export class LedgerRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * One page and the count and sum over the whole filter, read in one REPEATABLE READ snapshot: two statements in
   * READ COMMITTED let a bill commit between them (a total counting a row the page does not show).
   */
  async page(filter: LedgerFilter, limit: number, offset: number): Promise<LedgerPage> {
    const where: Prisma.LedgerEntryWhereInput = { userId: filter.userId, tokenId: filter.tokenId, kind: filter.kind, requestId: filter.requestId };
    return readSnapshot(this.prisma, async (tx) => {
      const rows = await tx.ledgerEntry.findMany({ where, orderBy: { id: 'desc' }, take: limit, skip: offset });
      const agg = await tx.ledgerEntry.aggregate({ where, _count: { _all: true }, _sum: { amountMicros: true } });
      return { rows, total: agg._count._all, sumMicros: agg._sum.amountMicros ?? 0n };
    });
  }

  /** Limited users whose balance differs from their adjustments plus their entries; `low`: how many are below `lowMicros`. */
  async userDrifts(lowMicros: bigint): Promise<AccountCheck & { low: number }> {
    const rows = await this.prisma.$queryRaw<{ id: number | null; recorded: bigint; ledger: bigint; checked: bigint; low: bigint }[]>`
      WITH sums AS (SELECT "userId", SUM("amountMicros") AS total FROM ledger_entries GROUP BY "userId"),
      limited AS (
        SELECT u.id, u."balanceMicros" AS recorded, (u."adjustmentsMicros" + COALESCE(s.total, 0))::bigint AS ledger
        FROM users u LEFT JOIN sums s ON s."userId" = u.id
        WHERE u."balanceMicros" IS NOT NULL
      ),
      stats AS (SELECT count(*)::bigint AS checked, count(*) FILTER (WHERE recorded < ${lowMicros})::bigint AS low FROM limited)
      SELECT l.id, l.recorded, l.ledger, stats.checked, stats.low
      FROM stats LEFT JOIN limited l ON l.recorded <> l.ledger
      ORDER BY l.id`;
    return { checked: Number(rows[0]?.checked ?? 0), low: Number(rows[0]?.low ?? 0), drifts: driftsOf('user', rows) };
  }

  /** Tokens whose used quota differs from the sum of their usage debits. */
  async tokenDrifts(): Promise<AccountCheck> {
    const rows = await this.prisma.$queryRaw<{ id: number | null; recorded: bigint; ledger: bigint; checked: bigint }[]>`
      WITH sums AS (
        SELECT "tokenId", -SUM("amountMicros") AS total FROM ledger_entries
        WHERE kind = 'usage' AND "tokenId" IS NOT NULL GROUP BY "tokenId"
      ),
      checked AS (
        SELECT t.id, t."usedQuotaMicros" AS recorded, COALESCE(s.total, 0)::bigint AS ledger
        FROM tokens t LEFT JOIN sums s ON s."tokenId" = t.id
      ),
      stats AS (SELECT count(*)::bigint AS checked FROM checked)
      SELECT c.id, c.recorded, c.ledger, stats.checked
      FROM stats LEFT JOIN checked c ON c.recorded <> c.ledger
      ORDER BY c.id`;
    return { checked: Number(rows[0]?.checked ?? 0), drifts: driftsOf('token', rows) };
  }
}

/** The stats row comes back once even with no drift (LEFT JOIN from stats): its id is then null. */
function driftsOf(account: Drift['account'], rows: { id: number | null; recorded: bigint; ledger: bigint }[]): Drift[] {
  return rows
    .filter((r): r is typeof r & { id: number } => r.id !== null)
    .map((r) => ({ account, id: r.id, recordedMicros: BigInt(r.recorded), ledgerMicros: BigInt(r.ledger) }));
}
