import { Injectable } from '@nestjs/common';
import { DomainError, notFound } from '@switchboard/contracts';
import { PrismaService, recordAudit, type AuditEntry, type Prisma } from '@switchboard/db';
import { asLedgerWriter } from './ledger-writer';

export interface Credit {
  userId: number;
  tokenId: number | null;
  kind: 'topup' | 'redemption' | 'stripe_topup' | 'stripe_refund' | 'stripe_dispute';
  /** idempotency key of the credit (e.g. `redemption:<id>`); null for admin top-ups */
  reference: string | null;
  amountMicros: bigint;
}

export interface Credited {
  before: bigint;
  after: bigint;
  /** the user's name, for the audit entry */
  name: string;
}

/**
 * Credits a user inside the caller's transaction: the ledger entry and the balance move together. A user with an
 * unlimited balance cannot be credited (400), which rolls the caller's transaction back.
 */
export async function creditUser(tx: Prisma.TransactionClient, c: Credit): Promise<Credited> {
  await asLedgerWriter(tx);
  const rows = await tx.$queryRaw<{ balanceMicros: bigint | null; name: string }[]>`
    UPDATE users SET "balanceMicros" = "balanceMicros" + ${c.amountMicros}, "updatedAt" = now() AT TIME ZONE 'UTC'
    WHERE id = ${c.userId} RETURNING "balanceMicros", name`;
  const row = rows[0];
  if (!row) throw notFound('user');
  if (row.balanceMicros === null) throw new DomainError('invalid_request', 400, 'user has an unlimited balance: nothing to credit');
  await tx.ledgerEntry.create({ data: { userId: c.userId, tokenId: c.tokenId, kind: c.kind, requestId: c.reference, amountMicros: c.amountMicros } });
  return { before: row.balanceMicros - c.amountMicros, after: row.balanceMicros, name: row.name };
}

/** What the balance service needs of the database; unit tests implement it in memory. */
export type Balances = Pick<BalanceRepository, keyof BalanceRepository>;

/** The SQL of crediting balances (admin top-ups) and of the keys a balance change concerns. */
@Injectable()
export class BalanceRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Credits the user and records the audit entry `audit` builds from the credit, in one transaction. */
  async creditAudited(credit: Credit, audit: (c: Credited) => AuditEntry): Promise<Credited> {
    return this.prisma.$transaction(async (tx) => {
      const c = await creditUser(tx, credit);
      await recordAudit(tx, audit(c));
      return c;
    });
  }

  async keyHashesOf(userId: number): Promise<string[]> {
    const tokens = await this.prisma.token.findMany({ where: { userId }, select: { keyHash: true } });
    return tokens.map((t) => t.keyHash);
  }
}
