import { Injectable } from '@nestjs/common';
import { PrismaService, type Prisma } from '@switchboard/db';

/** Any constant both billing replicas agree on: one quota reconciliation at a time across the cluster. */
const ADVISORY_LOCK = 0x5b_0c_0a_71;

export type AccountKind = 'token' | 'user';

/** Reads inside one REPEATABLE READ snapshot, in the order the reconciler needs them. */
export interface QuotaSnapshot {
  /** The first statement (it fixes the snapshot): false when another billing replica holds the lock. */
  tryLock(): Promise<boolean>;
  /** What each limited account has left: a user's balance, a token's quota less its used quota (unlimited ones are absent). */
  remaining(userIds: number[], tokenIds: number[]): Promise<{ kind: AccountKind; id: number; remainingMicros: number }[]>;
  /** Of these request ids, the ones the ledger holds a usage debit for, with its cost. */
  billedCosts(requestIds: string[]): Promise<Map<string, number>>;
  /** Of these transaction ids (pg_current_xact_id), the ones that had completed when the snapshot was taken. */
  committed(txids: string[]): Promise<Set<string>>;
}

/** What the quota counter reconciler needs of the database; unit tests implement it in memory. */
export type QuotaViews = Pick<QuotaViewRepository, keyof QuotaViewRepository>;

/** The database's view of quota accounts, read in one snapshot for the quota counter reconciliation. */
@Injectable()
export class QuotaViewRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Runs `fn` in a REPEATABLE READ transaction; the advisory lock it may take is held until `fn` returns. */
  async inSnapshot<T>(fn: (s: QuotaSnapshot) => Promise<T>): Promise<T> {
    return this.prisma.$transaction((tx) => fn(snapshotOf(tx)), { isolationLevel: 'RepeatableRead', timeout: 60_000, maxWait: 30_000 });
  }
}

function snapshotOf(tx: Prisma.TransactionClient): QuotaSnapshot {
  return {
    async tryLock() {
      const [{ locked }] = await tx.$queryRaw<{ locked: boolean }[]>`SELECT pg_try_advisory_xact_lock(${ADVISORY_LOCK}) AS locked`;
      return locked;
    },
    async remaining(userIds, tokenIds) {
      const rows = await tx.$queryRaw<{ kind: AccountKind; id: number; remaining: bigint }[]>`
        SELECT 'user' AS kind, id, "balanceMicros" AS remaining FROM users
          WHERE id = ANY(${userIds}::int[]) AND "balanceMicros" IS NOT NULL
        UNION ALL
        SELECT 'token' AS kind, id, "quotaMicros" - "usedQuotaMicros" AS remaining FROM tokens
          WHERE id = ANY(${tokenIds}::int[]) AND "quotaMicros" IS NOT NULL`;
      return rows.map((r) => ({ kind: r.kind, id: r.id, remainingMicros: Number(r.remaining) }));
    },
    async billedCosts(requestIds) {
      const billed = new Map<string, number>();
      if (!requestIds.length) return billed;
      const rows = await tx.$queryRaw<{ requestId: string; cost: bigint }[]>`
        SELECT "requestId", -"amountMicros" AS cost FROM ledger_entries
        WHERE kind = 'usage' AND "requestId" = ANY(${requestIds}::text[])`;
      for (const r of rows) billed.set(r.requestId, Number(r.cost));
      return billed;
    },
    async committed(txids) {
      if (!txids.length) return new Set();
      // The transaction's snapshot (REPEATABLE READ): a billing transaction is named only after it committed, so
      // "completed before the snapshot" is "its debits are in this view". Ids that are not numbers are never visible.
      const rows = await tx.$queryRaw<{ txid: string }[]>`
        SELECT t AS txid FROM unnest(${txids}::text[]) AS t
        WHERE t ~ '^[0-9]{1,19}$' AND pg_visible_in_snapshot(t::xid8, pg_current_snapshot())`;
      return new Set(rows.map((r) => r.txid));
    },
  };
}
