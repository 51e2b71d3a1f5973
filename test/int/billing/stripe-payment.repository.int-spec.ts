import os from 'node:os';
import { openDatabase, type AuditEntry, type Database, type PrismaService } from '@switchboard/db';
import { StripePaymentRepository, type PaidSession } from '../../../apps/billing/src/payments/stripe-payment.repository';
import { createThrowawayDatabase, describePostgres, type ThrowawayDatabase } from '../db/harness';

jest.setTimeout(60_000);

const audit = (userId: number) => (): AuditEntry => ({ actor: 'stripe', action: 'update', entity: 'user', entityId: userId });
const unapplied =
  (sessionId: string) =>
  (reason: string): AuditEntry => ({ actor: 'stripe', action: 'update', entity: 'payment', entityId: sessionId, after: { reason } });
const unappliedRev = (_userId: number, sessionId: string, reason: string) => unapplied(sessionId)(reason);

/** Stripe top-ups on real Postgres: one credit per event and per session, refunds reversed in proportion once, under races. */
describePostgres('StripePaymentRepository on Postgres', () => {
  let tdb: ThrowawayDatabase;
  let db: Database;
  let prisma: PrismaService;
  let repo: StripePaymentRepository;
  let seq = 0;
  const paid = (userId: number, over: Partial<PaidSession> = {}): PaidSession => {
    const n = ++seq;
    return {
      eventId: `evt_${n}`,
      eventType: 'checkout.session.completed',
      sessionId: `cs_${n}`,
      paymentIntent: `pi_${n}`,
      userId,
      amountTotal: 2000n,
      currency: 'eur',
      creditMicros: 22_000_000n,
      ...over,
    };
  };
  const balanceOf = async (id: number) => (await prisma.user.findUniqueOrThrow({ where: { id } })).balanceMicros;

  beforeAll(async () => {
    tdb = await createThrowawayDatabase();
    db = await openDatabase({ databaseUrl: tdb.url, dataDir: os.tmpdir(), migrate: true, seed: true });
    prisma = db.prisma;
    repo = new StripePaymentRepository(prisma);
  });
  afterAll(async () => {
    await db?.close();
    await tdb?.drop();
  });

  it('credits 12 concurrent deliveries of one event once, and a second event for the same session not at all', async () => {
    const u = await prisma.user.create({ data: { name: 'racer', balanceMicros: 0n } });
    const s = paid(u.id);
    const results = await Promise.all(Array.from({ length: 12 }, () => repo.credit(s, audit(u.id), unapplied(s.sessionId))));
    expect(results.filter((r) => r.result === 'applied')).toHaveLength(1);
    expect(await repo.credit({ ...s, eventId: 'evt_other' }, audit(u.id), unapplied(s.sessionId))).toEqual({ result: 'replay' });
    expect(await balanceOf(u.id)).toBe(22_000_000n);
    expect(await prisma.ledgerEntry.findMany({ where: { userId: u.id } })).toMatchObject([
      { kind: 'stripe_topup', requestId: `stripe:${s.sessionId}`, amountMicros: 22_000_000n },
    ]);
    expect(await prisma.auditLog.count({ where: { actor: 'stripe', entityId: String(u.id) } })).toBe(1);
  });

  it('credits 8 concurrent events of one session (different ids) once', async () => {
    const u = await prisma.user.create({ data: { name: 'twin-events', balanceMicros: 0n } });
    const s = paid(u.id);
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => repo.credit({ ...s, eventId: `${s.eventId}_${i}` }, audit(u.id), unapplied(s.sessionId))),
    );
    expect(results.filter((r) => r.result === 'applied')).toHaveLength(1);
    expect(await balanceOf(u.id)).toBe(22_000_000n);
  });

  it('reverses refunds in proportion: concurrent and out-of-order events reverse the whole credit exactly once', async () => {
    const u = await prisma.user.create({ data: { name: 'refunded', balanceMicros: 0n } });
    const s = paid(u.id);
    await repo.credit(s, audit(u.id), unapplied(s.sessionId));
    const refund = (eventId: string, amountRefunded: bigint) =>
      repo.reverse({ eventId, eventType: 'charge.refunded', paymentIntent: s.paymentIntent!, amountRefunded }, audit(u.id), unappliedRev);
    expect(await refund('evt_r1', 500n)).toMatchObject({ result: 'applied', detail: { reversedMicros: 5_500_000n } });
    expect(await refund('evt_r1', 500n)).toEqual({ result: 'replay' });
    const raced = await Promise.all([refund('evt_r2', 2000n), refund('evt_r3', 1000n), refund('evt_r4', 2000n), refund('evt_r2', 2000n)]);
    expect(raced.filter((r) => r.result === 'applied').length).toBeGreaterThanOrEqual(1);
    expect(await balanceOf(u.id)).toBe(0n);
    const reversals = await prisma.ledgerEntry.aggregate({ where: { userId: u.id, kind: 'stripe_refund' }, _sum: { amountMicros: true } });
    expect(reversals._sum.amountMicros).toBe(-22_000_000n);
    expect(await prisma.stripePayment.findUniqueOrThrow({ where: { sessionId: s.sessionId } })).toMatchObject({ reversedMicros: 22_000_000n });
  });

  it('leaves an unknown payment intent unclaimed (so a retry can still apply it), and lists credits and reversals newest first', async () => {
    expect(
      await repo.reverse({ eventId: 'evt_unknown', eventType: 'charge.refunded', paymentIntent: 'pi_nobody', amountRefunded: 1n }, audit(0), unappliedRev),
    ).toEqual({
      result: 'unknown_payment',
    });
    expect(await prisma.stripeEvent.findUnique({ where: { id: 'evt_unknown' } })).toBeNull();
    const u = await prisma.user.findFirstOrThrow({ where: { name: 'refunded' } });
    const { balanceMicros, entries } = await repo.topups(u.id, 10);
    expect(balanceMicros).toBe(0n);
    expect(entries[0].kind).toBe('stripe_refund');
    expect(entries.at(-1)).toMatchObject({ kind: 'stripe_topup', amountMicros: 22_000_000n });
  });

  it('keeps a payment its user cannot take (unlimited balance, deleted) as unapplied, audited, crediting nothing, once', async () => {
    const u = await prisma.user.create({ data: { name: 'unlimited-payer', balanceMicros: null } });
    const s = paid(u.id);
    expect(await repo.credit(s, audit(u.id), unapplied(s.sessionId))).toEqual({
      result: 'unapplied',
      userId: u.id,
      reason: 'the user has an unlimited balance',
    });
    expect(await repo.credit({ ...s, eventId: 'evt_unlimited_again' }, audit(u.id), unapplied(s.sessionId))).toEqual({ result: 'replay' });
    expect(await prisma.stripePayment.findUniqueOrThrow({ where: { sessionId: s.sessionId } })).toMatchObject({
      status: 'unapplied',
      creditMicros: 22_000_000n,
      creditedMicros: 0n,
      note: 'the user has an unlimited balance',
    });
    expect(await prisma.ledgerEntry.count({ where: { userId: u.id } })).toBe(0);
    expect(await prisma.auditLog.findMany({ where: { entity: 'payment', entityId: s.sessionId } })).toHaveLength(1);
    // A refund of it reverses nothing.
    expect(
      await repo.reverse(
        { eventId: 'evt_unl_r', eventType: 'charge.refunded', paymentIntent: s.paymentIntent!, amountRefunded: 2000n },
        audit(u.id),
        unappliedRev,
      ),
    ).toEqual({
      result: 'recorded',
    });
    const gone = paid(987_654);
    expect(await repo.credit(gone, audit(987_654), unapplied(gone.sessionId))).toMatchObject({ result: 'unapplied', reason: 'the user no longer exists' });
    expect(await repo.list({ status: 'unapplied', limit: 10, offset: 0 })).toMatchObject({
      total: 2,
      rows: [{ sessionId: gone.sessionId }, { sessionId: s.sessionId }],
    });
  });

  it('records a delayed payment pending, credits it once when it succeeds (concurrent events), and records a failure', async () => {
    const u = await prisma.user.create({ data: { name: 'delayed-payer', balanceMicros: 0n } });
    const s = paid(u.id);
    const pending = { ...s, eventType: 'checkout.session.completed', status: 'pending' as const, note: null };
    expect(await repo.recordUnpaid(pending)).toEqual({ result: 'recorded' });
    expect(await repo.recordUnpaid(pending)).toEqual({ result: 'replay' });
    expect(await prisma.stripePayment.findUniqueOrThrow({ where: { sessionId: s.sessionId } })).toMatchObject({ status: 'pending', creditedMicros: 0n });
    expect(await balanceOf(u.id)).toBe(0n);
    const succeeded = (i: number) =>
      repo.credit({ ...s, eventId: `evt_async_ok_${i}`, eventType: 'checkout.session.async_payment_succeeded' }, audit(u.id), unapplied(s.sessionId));
    const results = await Promise.all([0, 1, 2, 3, 4, 5].map(succeeded));
    expect(results.filter((r) => r.result === 'applied')).toHaveLength(1);
    expect(await balanceOf(u.id)).toBe(22_000_000n);
    // A failure (or the pending completion) arriving late changes a credited payment no more.
    expect(await repo.recordUnpaid({ ...pending, eventId: 'evt_late_fail', status: 'failed', note: 'failed' })).toEqual({ result: 'replay' });
    expect(await prisma.stripePayment.findUniqueOrThrow({ where: { sessionId: s.sessionId } })).toMatchObject({
      status: 'credited',
      creditedMicros: 22_000_000n,
    });

    const f = paid(u.id);
    await repo.recordUnpaid({ ...f, status: 'pending', note: null });
    expect(await repo.recordUnpaid({ ...f, eventId: `${f.eventId}_failed`, status: 'failed', note: 'the delayed payment method failed' })).toEqual({
      result: 'recorded',
    });
    expect(await prisma.stripePayment.findUniqueOrThrow({ where: { sessionId: f.sessionId } })).toMatchObject({ status: 'failed', creditedMicros: 0n });
    expect(await balanceOf(u.id)).toBe(22_000_000n);
  });

  it('withdraws a disputed credit once and restores it once when won; a lost dispute keeps it; refunds cannot take it twice', async () => {
    const u = await prisma.user.create({ data: { name: 'disputed', balanceMicros: 0n } });
    const s = paid(u.id);
    await repo.credit(s, audit(u.id), unapplied(s.sessionId));
    const dispute = (eventId: string, outcome: 'open' | 'won' | 'lost', disputeId = 'dp_1', amount = 2000n) =>
      repo.dispute(
        { eventId, eventType: `charge.dispute.${outcome === 'open' ? 'created' : 'closed'}`, disputeId, paymentIntent: s.paymentIntent!, amount },
        outcome,
        audit(u.id),
        unappliedRev,
      );
    const opened = await Promise.all([dispute('evt_d1', 'open'), dispute('evt_d1', 'open'), dispute('evt_d2', 'open')]);
    expect(opened.filter((r) => r.result === 'applied')).toHaveLength(1);
    expect(await balanceOf(u.id)).toBe(0n);
    // A refund while the dispute holds the credit reverses nothing more.
    expect(
      await repo.reverse(
        { eventId: 'evt_dr', eventType: 'charge.refunded', paymentIntent: s.paymentIntent!, amountRefunded: 2000n },
        audit(u.id),
        unappliedRev,
      ),
    ).toEqual({
      result: 'replay',
    });
    const won = await Promise.all([dispute('evt_w1', 'won'), dispute('evt_w2', 'won'), dispute('evt_w1', 'won')]);
    expect(won.filter((r) => r.result === 'applied')).toHaveLength(1);
    expect(await balanceOf(u.id)).toBe(22_000_000n);
    expect(await dispute('evt_w3', 'lost')).toEqual({ result: 'replay' });
    expect(await prisma.ledgerEntry.findMany({ where: { userId: u.id, kind: 'stripe_dispute' }, orderBy: { id: 'asc' } })).toMatchObject([
      { amountMicros: -22_000_000n, requestId: 'stripe:dp_1' },
      { amountMicros: 22_000_000n, requestId: 'stripe:dp_1:won' },
    ]);

    const v = await prisma.user.create({ data: { name: 'dispute-lost', balanceMicros: 0n } });
    const l = paid(v.id);
    await repo.credit(l, audit(v.id), unapplied(l.sessionId));
    await repo.reverse({ eventId: 'evt_lr', eventType: 'charge.refunded', paymentIntent: l.paymentIntent!, amountRefunded: 500n }, audit(v.id), unappliedRev);
    const lose = (eventId: string, outcome: 'open' | 'lost') =>
      repo.dispute(
        { eventId, eventType: 'charge.dispute.x', disputeId: 'dp_2', paymentIntent: l.paymentIntent!, amount: 2000n },
        outcome,
        audit(v.id),
        unappliedRev,
      );
    // The dispute withdraws what the partial refund left, no more.
    expect(await lose('evt_l1', 'open')).toMatchObject({ result: 'applied', detail: { movedMicros: -16_500_000n } });
    expect(await lose('evt_l2', 'lost')).toEqual({ result: 'recorded' });
    expect(await balanceOf(v.id)).toBe(0n);
    expect(await prisma.stripePayment.findUniqueOrThrow({ where: { sessionId: l.sessionId } })).toMatchObject({
      disputeStatus: 'lost',
      disputedMicros: 16_500_000n,
    });
  });
});
