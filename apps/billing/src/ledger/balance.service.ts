import { Injectable } from '@nestjs/common';
import { DomainError, Subjects, notFound, type TopUp } from '@switchboard/contracts';
import { PrismaService, microsToUsd, recordAudit, usdToMicros, type Prisma } from '@switchboard/db';
import { Bus } from '@switchboard/messaging';
import type { z } from 'zod';
import { asLedgerWriter } from './ledger-writer';

export interface Credit {
  userId: number;
  tokenId: number | null;
  kind: 'topup' | 'redemption';
  /** idempotency key of the credit (e.g. `redemption:<id>`); null for admin top-ups */
  reference: string | null;
  amountMicros: bigint;
}

/**
 * Credits a user inside the caller's transaction: the ledger entry and the balance move together. A user with an
 * unlimited balance cannot be credited (400), which rolls the caller's transaction back.
 */
export async function creditUser(tx: Prisma.TransactionClient, c: Credit): Promise<{ before: bigint; after: bigint; name: string }> {
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

/** Admin top-ups: a ledger credit and the balance move in one transaction. */
@Injectable()
export class BalanceService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly bus: Bus,
  ) {}

  async topUp(id: string | undefined, { amount }: z.output<typeof TopUp>, actor: string): Promise<{ balance: number }> {
    const userId = Number(id);
    if (!Number.isSafeInteger(userId)) throw notFound('user');
    const micros = usdToMicros(amount);
    if (micros <= 0n) throw new DomainError('invalid_request', 400, 'amount: must be at least 0.000001', { field: 'amount' });
    const credited = await this.prisma.$transaction(async (tx) => {
      const c = await creditUser(tx, { userId, tokenId: null, kind: 'topup', reference: null, amountMicros: micros });
      await recordAudit(tx, {
        actor,
        action: 'update',
        entity: 'user',
        entityId: userId,
        before: { id: userId, name: c.name, balance: microsToUsd(c.before) },
        after: { id: userId, name: c.name, balance: microsToUsd(c.after), topup: amount },
      });
      return c;
    });
    await this.notifyCredited(userId);
    return { balance: microsToUsd(credited.after) };
  }

  /** Every gateway drops its cached view of the user's keys and re-reads the balance for its quota counters. */
  async notifyCredited(userId: number): Promise<void> {
    const tokens = await this.prisma.token.findMany({ where: { userId }, select: { keyHash: true } });
    this.bus.emit(Subjects.AuthChanged, { keyHashes: tokens.map((t) => t.keyHash), all: false, quotaReset: { tokenIds: [], userIds: [userId] } });
  }
}
