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

/** A dispute as `charge.dispute.*` reports it (docs.stripe.com/api/disputes/object). */
export interface Dispute {
  eventId: string;
  eventType: string;
  disputeId: string;
  paymentIntent: string;
  /** the disputed amount, in the payment's minor units */
  amount: bigint;
}

/** A session whose payment has not arrived (a delayed method) or failed: recorded, nothing credited. */
export interface UnpaidSession extends Omit<PaidSession, 'eventId' | 'eventType'> {
  eventId: string;
  eventType: string;
  status: 'pending' | 'failed';
  note: string | null;
}

export type Applied<T> =
  | { result: 'applied'; userId: number; credited: Credited; detail: T }
  | { result: 'replay' }
  | { result: 'unknown_payment' }
  /** paid (or reversed) at Stripe, but the user cannot be credited (unlimited balance, deleted): recorded and audited */
  | { result: 'unapplied'; userId: number; reason: string }
  /** recorded without a balance move (a pending or failed payment, a lost dispute, a refund of an uncredited payment) */
  | { result: 'recorded' };

/** A row of `GET /api/payments`. */
export interface PaymentRow {
  sessionId: string;
  paymentIntent: string | null;
  userId: number;
  amountTotal: bigint;
  currency: string;
  creditMicros: bigint;
  creditedMicros: bigint;
  reversedMicros: bigint;
  status: string;
  note: string | null;
  disputeId: string | null;
  disputeStatus: string | null;
  disputedMicros: bigint;
  createdAt: Date;
  updatedAt: Date;
}

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

  /**
   * Credits a paid session once (whichever event carries it: `completed` when paid at once, `async_payment_succeeded`
   * after a delayed method; a `pending` row turns `credited`). A user who cannot be credited (unlimited balance,
   * deleted) leaves the payment `unapplied`, audited, for an admin to settle: Stripe is answered 2xx either way.
   */
  async credit(s: PaidSession, audit: (c: Credited) => AuditEntry, unapplied: (reason: string) => AuditEntry): Promise<Applied<{ sessionId: string }>> {
    return this.prisma.$transaction(async (tx) => {
      if (!(await claimEvent(tx, s.eventId, s.eventType))) return { result: 'replay' };
      const reason = await whyNotCreditable(tx, s.userId);
      const status = reason ? 'unapplied' : 'credited';
      const inserted = await tx.$queryRaw<{ sessionId: string }[]>`
        INSERT INTO stripe_payments ("sessionId", "paymentIntent", "userId", "amountTotal", currency, "creditMicros", "creditedMicros", status, note, "updatedAt")
        VALUES (${s.sessionId}, ${s.paymentIntent}, ${s.userId}, ${s.amountTotal}, ${s.currency}, ${s.creditMicros}, ${reason ? 0n : s.creditMicros},
                ${status}, ${reason}, now() AT TIME ZONE 'UTC')
        ON CONFLICT ("sessionId") DO UPDATE SET "paymentIntent" = EXCLUDED."paymentIntent", "creditedMicros" = EXCLUDED."creditedMicros",
          status = EXCLUDED.status, note = EXCLUDED.note, "updatedAt" = EXCLUDED."updatedAt"
        WHERE stripe_payments.status = 'pending'
        RETURNING "sessionId"`;
      if (inserted.length === 0) return { result: 'replay' };
      if (reason) {
        await recordAudit(tx, unapplied(reason));
        return { result: 'unapplied', userId: s.userId, reason };
      }
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
   * Records a session that is not paid: `pending` (completed with a delayed method) unless the session is already
   * known, `failed` (async_payment_failed) over a pending row. Nothing is credited.
   */
  async recordUnpaid(s: UnpaidSession): Promise<Applied<never>> {
    return this.prisma.$transaction(async (tx) => {
      if (!(await claimEvent(tx, s.eventId, s.eventType))) return { result: 'replay' };
      const rows = await tx.$queryRaw<{ sessionId: string }[]>`
        INSERT INTO stripe_payments ("sessionId", "paymentIntent", "userId", "amountTotal", currency, "creditMicros", "creditedMicros", status, note, "updatedAt")
        VALUES (${s.sessionId}, ${s.paymentIntent}, ${s.userId}, ${s.amountTotal}, ${s.currency}, ${s.creditMicros}, 0, ${s.status}, ${s.note}, now() AT TIME ZONE 'UTC')
        ON CONFLICT ("sessionId") DO UPDATE SET status = EXCLUDED.status, note = EXCLUDED.note,
          "paymentIntent" = COALESCE(EXCLUDED."paymentIntent", stripe_payments."paymentIntent"), "updatedAt" = EXCLUDED."updatedAt"
        WHERE stripe_payments.status = 'pending' AND EXCLUDED.status = 'failed'
        RETURNING "sessionId"`;
      return rows.length > 0 ? { result: 'recorded' } : { result: 'replay' };
    });
  }

  /**
   * Reverses the share of the credit that the refunded share of the payment bought (all of it for a full refund),
   * less what earlier refunds already reversed and what a dispute holds. The payment row is locked, so concurrent
   * refunds of one payment reverse in turn.
   */
  async reverse(
    r: Refund,
    audit: (c: Credited, userId: number, sessionId: string, reversedMicros: bigint) => AuditEntry,
    unapplied: (userId: number, sessionId: string, reason: string) => AuditEntry,
  ): Promise<Applied<{ sessionId: string; reversedMicros: bigint }>> {
    return this.prisma.$transaction(async (tx) => {
      const p = await lockPayment(tx, r.paymentIntent);
      if (!p) return { result: 'unknown_payment' };
      if (!(await claimEvent(tx, r.eventId, r.eventType))) return { result: 'replay' };
      if (p.status !== 'credited') return { result: 'recorded' };
      const refunded = r.amountRefunded > p.amountTotal ? p.amountTotal : r.amountRefunded;
      const target = p.amountTotal > 0n ? (p.creditedMicros * refunded) / p.amountTotal : 0n;
      const delta = min(target - p.reversedMicros, available(p));
      if (delta <= 0n) return { result: 'replay' };
      await tx.$executeRaw`UPDATE stripe_payments SET "reversedMicros" = "reversedMicros" + ${delta}, "updatedAt" = now() AT TIME ZONE 'UTC' WHERE "sessionId" = ${p.sessionId}`;
      const reason = await whyNotCreditable(tx, p.userId);
      if (reason) {
        await recordAudit(tx, unapplied(p.userId, p.sessionId, reason));
        return { result: 'unapplied', userId: p.userId, reason };
      }
      const credited = await creditUser(tx, { userId: p.userId, tokenId: null, kind: 'stripe_refund', reference: `stripe:${r.eventId}`, amountMicros: -delta });
      await recordAudit(tx, audit(credited, p.userId, p.sessionId, delta));
      return { result: 'applied', userId: p.userId, credited, detail: { sessionId: p.sessionId, reversedMicros: delta } };
    });
  }

  /**
   * `charge.dispute.created` withdraws the disputed share of the credit (capped at what refunds left), once per
   * dispute; `charge.dispute.closed` as `won` gives it back once, as `lost` keeps it withdrawn. A charge has at most
   * one dispute, so the payment row holds it.
   */
  async dispute(
    d: Dispute,
    outcome: 'open' | 'won' | 'lost',
    audit: (c: Credited, userId: number, sessionId: string, movedMicros: bigint) => AuditEntry,
    unapplied: (userId: number, sessionId: string, reason: string) => AuditEntry,
  ): Promise<Applied<{ sessionId: string; movedMicros: bigint }>> {
    return this.prisma.$transaction(async (tx) => {
      const p = await lockPayment(tx, d.paymentIntent);
      if (!p) return { result: 'unknown_payment' };
      if (!(await claimEvent(tx, d.eventId, d.eventType))) return { result: 'replay' };
      if (p.status !== 'credited') return { result: 'recorded' };
      let moved: bigint;
      if (outcome === 'open') {
        if (p.disputeId !== null) return { result: 'replay' };
        const share = p.amountTotal > 0n ? (p.creditedMicros * (d.amount > p.amountTotal ? p.amountTotal : d.amount)) / p.amountTotal : 0n;
        const held = max(min(share, available(p)), 0n);
        await tx.$executeRaw`UPDATE stripe_payments SET "disputeId" = ${d.disputeId}, "disputeStatus" = 'open', "disputedMicros" = ${held},
          "updatedAt" = now() AT TIME ZONE 'UTC' WHERE "sessionId" = ${p.sessionId}`;
        moved = -held;
      } else {
        // Only the dispute that withdrew, and only while open: a second `closed` (or one for another dispute) is a replay.
        if (p.disputeId !== d.disputeId || p.disputeStatus !== 'open') return { result: 'replay' };
        await tx.$executeRaw`UPDATE stripe_payments SET "disputeStatus" = ${outcome}, "updatedAt" = now() AT TIME ZONE 'UTC' WHERE "sessionId" = ${p.sessionId}`;
        if (outcome === 'lost') return { result: 'recorded' };
        moved = p.disputedMicros;
      }
      if (moved === 0n) return { result: 'recorded' };
      const reason = await whyNotCreditable(tx, p.userId);
      if (reason) {
        await recordAudit(tx, unapplied(p.userId, p.sessionId, reason));
        return { result: 'unapplied', userId: p.userId, reason };
      }
      const credited = await creditUser(tx, {
        userId: p.userId,
        tokenId: null,
        kind: 'stripe_dispute',
        reference: `stripe:${d.disputeId}${outcome === 'won' ? ':won' : ''}`,
        amountMicros: moved,
      });
      await recordAudit(tx, audit(credited, p.userId, p.sessionId, moved));
      return { result: 'applied', userId: p.userId, credited, detail: { sessionId: p.sessionId, movedMicros: moved } };
    });
  }

  /** `GET /api/payments`: the payments, newest first, by status and user. */
  async list(q: { status?: string; userId?: number; limit: number; offset: number }): Promise<{ rows: PaymentRow[]; total: number }> {
    const where = { ...(q.status ? { status: q.status } : {}), ...(q.userId ? { userId: q.userId } : {}) };
    const [rows, total] = await Promise.all([
      this.prisma.stripePayment.findMany({ where, orderBy: [{ createdAt: 'desc' }, { sessionId: 'asc' }], take: q.limit, skip: q.offset }),
      this.prisma.stripePayment.count({ where }),
    ]);
    return { rows, total };
  }

  /** Why `userId` cannot be credited now (null when it can): a checkout is refused up front for the same reasons. */
  async whyNotCreditable(userId: number): Promise<string | null> {
    return whyNotCreditable(this.prisma, userId);
  }

  /** The user's balance (null = unlimited) and its credits and reversals, newest first. */
  async topups(
    userId: number,
    limit: number,
  ): Promise<{ balanceMicros: bigint | null; entries: { id: bigint; kind: string; amountMicros: bigint; requestId: string | null; createdAt: Date }[] }> {
    const [user, entries] = await Promise.all([
      this.prisma.user.findUnique({ where: { id: userId }, select: { balanceMicros: true } }),
      this.prisma.ledgerEntry.findMany({
        where: { userId, kind: { in: ['topup', 'redemption', 'stripe_topup', 'stripe_refund', 'stripe_dispute'] } },
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

interface LockedPayment {
  sessionId: string;
  userId: number;
  amountTotal: bigint;
  creditedMicros: bigint;
  reversedMicros: bigint;
  status: string;
  disputeId: string | null;
  disputeStatus: string | null;
  disputedMicros: bigint;
}

async function lockPayment(tx: Prisma.TransactionClient, paymentIntent: string): Promise<LockedPayment | undefined> {
  const rows = await tx.$queryRaw<LockedPayment[]>`
    SELECT "sessionId", "userId", "amountTotal", "creditedMicros", "reversedMicros", status, "disputeId", "disputeStatus", "disputedMicros"
    FROM stripe_payments WHERE "paymentIntent" = ${paymentIntent} FOR UPDATE`;
  return rows[0];
}

/** What of the credit is still on the balance: not reversed by refunds, not held by an open or lost dispute. */
const available = (p: LockedPayment) =>
  p.creditedMicros - p.reversedMicros - (p.disputeStatus === 'open' || p.disputeStatus === 'lost' ? p.disputedMicros : 0n);
const min = (a: bigint, b: bigint) => (a < b ? a : b);
const max = (a: bigint, b: bigint) => (a > b ? a : b);

/** The user row is locked (in a transaction), so it cannot turn unlimited or go between this check and the credit. */
async function whyNotCreditable(db: Pick<Prisma.TransactionClient, '$queryRaw'>, userId: number): Promise<string | null> {
  const rows = await db.$queryRaw<{ balanceMicros: bigint | null }[]>`SELECT "balanceMicros" FROM users WHERE id = ${userId} FOR UPDATE`;
  if (rows.length === 0) return 'the user no longer exists';
  return rows[0].balanceMicros === null ? 'the user has an unlimited balance' : null;
}
