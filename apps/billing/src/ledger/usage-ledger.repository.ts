import { Injectable } from '@nestjs/common';
import type { UsageDeadLetter } from '@switchboard/contracts';
import { PrismaService, storeUsageDeadLetters } from '@switchboard/db';
import { asLedgerWriter } from './ledger-writer';

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
  /** ledger rows inserted; the rest of the batch was already billed (unique (requestId, kind)) */
  stored: number;
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
    return this.prisma.$transaction(async (tx) => {
      await asLedgerWriter(tx);
      // One statement with one parameter (the batch as a JSON array), rather than Prisma's createManyAndReturn, which
      // built and checked every field of every row in JS: the largest CPU cost of billing on standalone's event loop.
      // RETURNING gives the rows this statement inserted, in the batch's order; a duplicate (requestId, kind) is skipped.
      const createdAt = new Date().toISOString(); // as Prisma fills @default(now()): the app's clock, in UTC
      const rows = JSON.stringify(debits.map((d) => ({ userId: d.userId, tokenId: d.tokenId, requestId: d.requestId, amountMicros: -d.costMicros })));
      const inserted = await tx.$queryRaw<{ requestId: string; userId: number; tokenId: number | null; amountMicros: bigint }[]>`
        INSERT INTO ledger_entries ("userId", "tokenId", "requestId", kind, "amountMicros", "createdAt")
        SELECT e."userId", e."tokenId", e."requestId", 'usage', e."amountMicros", ${createdAt}::timestamptz AT TIME ZONE 'UTC'
        FROM json_to_recordset(${rows}::json) AS e("userId" int, "tokenId" int, "requestId" text, "amountMicros" bigint)
        ON CONFLICT DO NOTHING
        RETURNING "requestId", "userId", "tokenId", "amountMicros"`;
      const byUser = new Map<number, { cost: bigint; lastRequestId: string }>();
      const byToken = new Map<number, bigint>();
      for (const e of inserted) {
        const u = byUser.get(e.userId) ?? { cost: 0n, lastRequestId: e.requestId };
        u.cost -= e.amountMicros;
        u.lastRequestId = e.requestId;
        byUser.set(e.userId, u);
        if (e.tokenId !== null) byToken.set(e.tokenId, (byToken.get(e.tokenId) ?? 0n) - e.amountMicros);
      }
      const balances: DebitedBalance[] = [];
      for (const [userId, { cost, lastRequestId }] of [...byUser].sort((a, b) => a[0] - b[0])) {
        // Unlimited users (balance NULL) stay NULL: NULL - x is NULL in SQL.
        const updated = await tx.$queryRaw<{ balanceMicros: bigint | null }[]>`
          UPDATE users SET "balanceMicros" = "balanceMicros" - ${cost}, "updatedAt" = now() AT TIME ZONE 'UTC'
          WHERE id = ${userId} RETURNING "balanceMicros"`;
        balances.push({ userId, debitMicros: cost, balanceAfterMicros: updated[0]?.balanceMicros ?? null, lastRequestId });
      }
      const exhaustedKeyHashes: string[] = [];
      for (const [tokenId, cost] of [...byToken].sort((a, b) => a[0] - b[0])) {
        const updated = await tx.$queryRaw<{ keyHash: string; status: string }[]>`
          UPDATE tokens SET "usedQuotaMicros" = "usedQuotaMicros" + ${cost},
            status = CASE WHEN "quotaMicros" IS NOT NULL AND "usedQuotaMicros" + ${cost} >= "quotaMicros" AND status = 'active'
                          THEN 'exhausted' ELSE status END,
            "updatedAt" = now() AT TIME ZONE 'UTC'
          WHERE id = ${tokenId} RETURNING "keyHash", status`;
        for (const r of updated) if (r.status === 'exhausted') exhaustedKeyHashes.push(r.keyHash);
      }
      return { stored: inserted.length, balances, exhaustedKeyHashes };
    });
  }

  /** Keeps the records the queue could not bill (the usage_dead_letters table, idempotent per consumer and request). */
  async storeDeadLetters(consumer: string, letters: readonly Omit<UsageDeadLetter, 'consumer'>[]): Promise<number> {
    return storeUsageDeadLetters(this.prisma, consumer, letters);
  }
}
