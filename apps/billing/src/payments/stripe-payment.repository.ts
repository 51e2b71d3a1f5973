import { Injectable } from '@nestjs/common';
import { PrismaService, recordAudit, type AuditEntry, type Prisma } from '@switchboard/db';
import { creditUser, type Credited } from '../ledger/balance.repository';

/** A paid Checkout session as the webhook reads it. */
export interface PaidSession {
  eventId: string;
  eventType: string;
  sessionId: string;
  paymentIntent: string | null;
  userId: number;
  amountTotal: bigint;
  currency: string;
  creditMicros: bigint;
}

/** A refund as `charge.refunded` reports it: the cumulative amount refunded of the payment. */
export interface Refund {
  eventId: string;
  eventType: string;
  paymentIntent: string;
  amountRefunded: bigint;
}

export type Applied<T> = { result: 'applied'; userId: number; credited: Credited; detail: T } | { result: 'replay' } | { result: 'unknown_payment' };

/** What the payment services need of the database; unit tests implement it in memory. */
export type StripePayments = Pick<StripePaymentRepository, keyof StripePaymentRepository>;

/**
 * The SQL of Stripe top-ups. Each delivery is one transaction that first claims its event id (stripe_events), so a
 * redelivered or concurrently duplicated event finds the claim taken and changes nothing; the payment row (one per
 * Checkout session) and the ledger's unique (reference, kind) make a session credit once whatever event carries it.
 */
@Injectable()
export class StripePaymentRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Credits a paid session once: null detail when the session was already credited (by another event). */
  async credit(s: PaidSession, audit: (c: Credited) => AuditEntry): Promise<Applied<{ sessionId: string }>> {
    return this.prisma.$transaction(async (tx) => {
      if (!(await claimEvent(tx, s.eventId, s.eventType))) return { result: 'replay' };
      const inserted = await tx.$queryRaw<{ sessionId: string }[]>`
        INSERT INTO stripe_payments ("sessionId", "paymentIntent", "userId", "amountTotal", currency, "creditedMicros", "updatedAt")
        VALUES (${s.sessionId}, ${s.paymentIntent}, ${s.userId}, ${s.amountTotal}, ${s.currency}, ${s.creditMicros}, now() AT TIME ZONE 'UTC')
        ON CONFLICT ("sessionId") DO NOTHING RETURNING "sessionId"`;
      if (inserted.length === 0) return { result: 'replay' };
      const credited = await creditUser(tx, {
        userId: s.userId,
        tokenId: null,
        kind: 'stripe_topup',
        reference: `stripe:${s.sessionId}`,
        amountMicros: s.creditMicros,
      });
      await recordAudit(tx, audit(credited));
      return { result: 'applied', userId: s.userId, credited, detail: { sessionId: s.sessionId } };
    });
  }

  /**
   * Reverses the share of the credit that the refunded share of the payment bought (all of it for a full refund),
   * less what earlier refunds already reversed. The payment row is locked, so concurrent refunds of one payment
   * reverse in turn.
   */
  async reverse(
    r: Refund,
    audit: (c: Credited, userId: number, sessionId: string, reversedMicros: bigint) => AuditEntry,
  ): Promise<Applied<{ sessionId: string; reversedMicros: bigint }>> {
    return this.prisma.$transaction(async (tx) => {
      const rows = await tx.$queryRaw<{ sessionId: string; userId: number; amountTotal: bigint; creditedMicros: bigint; reversedMicros: bigint }[]>`
        SELECT "sessionId", "userId", "amountTotal", "creditedMicros", "reversedMicros" FROM stripe_payments
        WHERE "paymentIntent" = ${r.paymentIntent} FOR UPDATE`;
      const p = rows[0];
      if (!p) return { result: 'unknown_payment' };
      if (!(await claimEvent(tx, r.eventId, r.eventType))) return { result: 'replay' };
      const refunded = r.amountRefunded > p.amountTotal ? p.amountTotal : r.amountRefunded;
      const target = p.amountTotal > 0n ? (p.creditedMicros * refunded) / p.amountTotal : 0n;
      const delta = target - p.reversedMicros;
      if (delta <= 0n) return { result: 'replay' };
      await tx.$executeRaw`UPDATE stripe_payments SET "reversedMicros" = ${target}, "updatedAt" = now() AT TIME ZONE 'UTC' WHERE "sessionId" = ${p.sessionId}`;
      const credited = await creditUser(tx, { userId: p.userId, tokenId: null, kind: 'stripe_refund', reference: `stripe:${r.eventId}`, amountMicros: -delta });
      await recordAudit(tx, audit(credited, p.userId, p.sessionId, delta));
      return { result: 'applied', userId: p.userId, credited, detail: { sessionId: p.sessionId, reversedMicros: delta } };
    });
  }

  /** The user's balance (null = unlimited) and its credits and reversals, newest first. */
  async topups(
    userId: number,
    limit: number,
  ): Promise<{ balanceMicros: bigint | null; entries: { id: bigint; kind: string; amountMicros: bigint; requestId: string | null; createdAt: Date }[] }> {
    const [user, entries] = await Promise.all([
      this.prisma.user.findUnique({ where: { id: userId }, select: { balanceMicros: true } }),
      this.prisma.ledgerEntry.findMany({
        where: { userId, kind: { in: ['topup', 'redemption', 'stripe_topup', 'stripe_refund'] } },
        orderBy: { id: 'desc' },
        take: limit,
        select: { id: true, kind: true, amountMicros: true, requestId: true, createdAt: true },
      }),
    ]);
    return { balanceMicros: user?.balanceMicros ?? null, entries };
  }
}

/** Claims the event id; false when an earlier (or a concurrent, now committed) transaction already holds it. */
async function claimEvent(tx: Prisma.TransactionClient, id: string, type: string): Promise<boolean> {
  const claimed = await tx.$queryRaw<{ id: string }[]>`
    INSERT INTO stripe_events (id, type) VALUES (${id}, ${type}) ON CONFLICT (id) DO NOTHING RETURNING id`;
  return claimed.length > 0;
}
