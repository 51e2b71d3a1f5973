import { Injectable } from '@nestjs/common';
import type { UsageDeadLetter } from '@switchboard/contracts';
import { PrismaService, storeUsageDeadLetters } from '@switchboard/db';

/** One request's cost, to be debited from its user's balance and added to its token's used quota. */
export interface UsageDebit {
  requestId: string;
  userId: number;
  tokenId: number | null;
  costMicros: number;
}

/** A user's balance after this call's debits. */
export interface DebitedBalance {
  userId: number;
  /** the sum of the debits this call inserted for the user */
  debitMicros: bigint;
  /** null when the balance is unlimited (or the user is gone) */
  balanceAfterMicros: bigint | null;
  /** the last inserted request of the user in the batch's order: the one a low-balance event names */
  lastRequestId: string;
}

export interface UsageDebitOutcome {
  /** the debits inserted (a subset of the call's, in its order); the rest were already billed (unique (requestId, kind)) */
  inserted: UsageDebit[];
  /** the committed transaction's id (pg_current_xact_id), which the quota reconciliation asks snapshots about */
  txid: string;
  /** every user a debit was inserted for, in user id order */
  balances: DebitedBalance[];
  /** key hashes of the tokens whose quota these debits used up (status turned 'exhausted') */
  exhaustedKeyHashes: string[];
}

/** What the usage billing consumer needs of the ledger; unit tests implement it in memory. */
export type UsageLedger = Pick<UsageLedgerRepository, keyof UsageLedgerRepository>;

/**
 * The SQL of usage debits: ledger rows, balances and token quotas move in one transaction, exactly once per
 * (requestId, 'usage'), and balances only for rows this transaction inserted.
 *
 * Rows are locked in id order (users, then tokens) so two billing replicas working on overlapping batches cannot
 * deadlock.
 */
@Injectable()
export class UsageLedgerRepository {
  constructor(private readonly prisma: PrismaService) {}

  async debit(debits: readonly UsageDebit[]): Promise<UsageDebitOutcome> {
    // One statement, so one implicit transaction and one round trip: on embedded Postgres each statement costs ~1 ms
    // of CPU beyond its work, and the six of an interactive transaction were a third of a usage debit's cost
    // (bench/usage-store.mjs). Its parts, in order:
    //  - writer: marks the transaction as billing's ledger write (see asLedgerWriter); the updates' WHERE reads it
    //    first, so the balance trigger sees the mark;
    //  - ins: the batch as one JSON parameter (a row per debit, by position), a duplicate (requestId, kind) skipped;
    //    RETURNING = what this inserted;
    //  - users/tokens locked in id order before they move (two billing replicas on overlapping batches cannot
    //    deadlock), then moved by the sum of the inserted debits (unlimited balances stay NULL: NULL - x is NULL).
    const createdAt = new Date().toISOString(); // as Prisma fills @default(now()): the app's clock, in UTC
    // positional rows (userId, tokenId, requestId, amountMicros): the embedded database's cost grows with the bytes
    const rows = JSON.stringify(debits.map((d) => [d.userId, d.tokenId, d.requestId, -d.costMicros]));
    const [out] = await this.prisma.$queryRaw<
      { txid: string; inserted: string[] | null; balances: { id: number; balance: string | null }[] | null; exhausted: string[] | null }[]
    >`
      WITH writer AS (
        SELECT set_config('switchboard.ledger_writer', 'billing', true) AS mark
      ), ins AS (
        INSERT INTO ledger_entries ("userId", "tokenId", "requestId", kind, "amountMicros", "createdAt")
        SELECT (e->>0)::int, (e->>1)::int, e->>2, 'usage', (e->>3)::bigint, ${createdAt}::timestamptz AT TIME ZONE 'UTC'
        FROM jsonb_array_elements(${rows}::jsonb) AS e
        ON CONFLICT DO NOTHING
        RETURNING "requestId", "userId", "tokenId", "amountMicros"
      ), per_user AS (
        SELECT "userId" AS id, -sum("amountMicros") AS cost FROM ins GROUP BY "userId"
      ), per_token AS (
        SELECT "tokenId" AS id, -sum("amountMicros") AS cost FROM ins WHERE "tokenId" IS NOT NULL GROUP BY "tokenId"
      ), users_locked AS (
        SELECT u.id FROM users u WHERE u.id IN (SELECT id FROM per_user) ORDER BY u.id FOR UPDATE
      ), users_moved AS (
        UPDATE users u SET "balanceMicros" = u."balanceMicros" - p.cost, "updatedAt" = now() AT TIME ZONE 'UTC'
        FROM per_user p
        WHERE u.id = p.id AND (SELECT mark FROM writer) = 'billing' AND u.id IN (SELECT id FROM users_locked)
        RETURNING u.id, u."balanceMicros"
      ), tokens_locked AS (
        -- reading users_moved makes the users' locks come first (sub-statements of a WITH otherwise run in any order);
        -- a token's user is never missing from it: tokens go with their user (ON DELETE CASCADE)
        SELECT t.id FROM tokens t WHERE t.id IN (SELECT id FROM per_token) AND EXISTS (SELECT 1 FROM users_moved) ORDER BY t.id FOR UPDATE
      ), tokens_moved AS (
        UPDATE tokens t SET "usedQuotaMicros" = t."usedQuotaMicros" + p.cost,
          status = CASE WHEN t."quotaMicros" IS NOT NULL AND t."usedQuotaMicros" + p.cost >= t."quotaMicros" AND t.status = 'active'
                        THEN 'exhausted' ELSE t.status END,
          "updatedAt" = now() AT TIME ZONE 'UTC'
        FROM per_token p
        WHERE t.id = p.id AND t.id IN (SELECT id FROM tokens_locked)
        RETURNING t."keyHash", t.status
      )
      SELECT
        pg_current_xact_id()::text AS txid,
        (SELECT array_agg("requestId") FROM ins) AS inserted,
        (SELECT json_agg(json_build_object('id', id, 'balance', "balanceMicros"::text)) FROM users_moved) AS balances,
        (SELECT array_agg("keyHash") FROM tokens_moved WHERE status = 'exhausted') AS exhausted`;
    // Per user, in id order: the sum of this call's inserted debits and the last of them in the batch's order.
    const fresh = new Set(out?.inserted ?? []);
    const byUser = new Map<number, { cost: bigint; lastRequestId: string }>();
    const inserted: UsageDebit[] = [];
    for (const d of debits) {
      if (!fresh.delete(d.requestId)) continue; // not inserted, or a repeat within the batch
      inserted.push(d);
      const u = byUser.get(d.userId) ?? { cost: 0n, lastRequestId: d.requestId };
      u.cost += BigInt(d.costMicros);
      u.lastRequestId = d.requestId;
      byUser.set(d.userId, u);
    }
    const after = new Map((out?.balances ?? []).map((b) => [b.id, b.balance === null ? null : BigInt(b.balance)]));
    const balances: DebitedBalance[] = [...byUser]
      .sort((a, b) => a[0] - b[0])
      .map(([userId, { cost, lastRequestId }]) => ({ userId, debitMicros: cost, balanceAfterMicros: after.get(userId) ?? null, lastRequestId }));
    return { inserted, txid: out.txid, balances, exhaustedKeyHashes: out?.exhausted ?? [] };
  }

  /** Keeps the records the queue could not bill (the usage_dead_letters table, idempotent per consumer and request). */
  async storeDeadLetters(consumer: string, letters: readonly Omit<UsageDeadLetter, 'consumer'>[]): Promise<number> {
    return storeUsageDeadLetters(this.prisma, consumer, letters);
  }
}
