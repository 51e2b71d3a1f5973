import os from 'node:os';
import { openDatabase, type AuditEntry, type Database, type PrismaService } from '@switchboard/db';
import { StripePaymentRepository, type PaidSession } from '../../../apps/billing/src/payments/stripe-payment.repository';
import { createThrowawayDatabase, describePostgres, type ThrowawayDatabase } from '../db/harness';

jest.setTimeout(60_000);

const audit = (userId: number) => (): AuditEntry => ({ actor: 'stripe', action: 'update', entity: 'user', entityId: userId });

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
    const results = await Promise.all(Array.from({ length: 12 }, () => repo.credit(s, audit(u.id))));
    expect(results.filter((r) => r.result === 'applied')).toHaveLength(1);
    expect(await repo.credit({ ...s, eventId: 'evt_other' }, audit(u.id))).toEqual({ result: 'replay' });
    expect(await balanceOf(u.id)).toBe(22_000_000n);
    expect(await prisma.ledgerEntry.findMany({ where: { userId: u.id } })).toMatchObject([
      { kind: 'stripe_topup', requestId: `stripe:${s.sessionId}`, amountMicros: 22_000_000n },
    ]);
    expect(await prisma.auditLog.count({ where: { actor: 'stripe', entityId: String(u.id) } })).toBe(1);
  });

  it('credits 8 concurrent events of one session (different ids) once', async () => {
    const u = await prisma.user.create({ data: { name: 'twin-events', balanceMicros: 0n } });
    const s = paid(u.id);
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => repo.credit({ ...s, eventId: `${s.eventId}_${i}` }, audit(u.id))));
    expect(results.filter((r) => r.result === 'applied')).toHaveLength(1);
    expect(await balanceOf(u.id)).toBe(22_000_000n);
  });

  it('reverses refunds in proportion: concurrent and out-of-order events reverse the whole credit exactly once', async () => {
    const u = await prisma.user.create({ data: { name: 'refunded', balanceMicros: 0n } });
    const s = paid(u.id);
    await repo.credit(s, audit(u.id));
    const refund = (eventId: string, amountRefunded: bigint) =>
      repo.reverse({ eventId, eventType: 'charge.refunded', paymentIntent: s.paymentIntent!, amountRefunded }, audit(u.id));
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
    expect(await repo.reverse({ eventId: 'evt_unknown', eventType: 'charge.refunded', paymentIntent: 'pi_nobody', amountRefunded: 1n }, audit(0))).toEqual({
      result: 'unknown_payment',
    });
    expect(await prisma.stripeEvent.findUnique({ where: { id: 'evt_unknown' } })).toBeNull();
    const u = await prisma.user.findFirstOrThrow({ where: { name: 'refunded' } });
    const { balanceMicros, entries } = await repo.topups(u.id, 10);
    expect(balanceMicros).toBe(0n);
    expect(entries[0].kind).toBe('stripe_refund');
    expect(entries.at(-1)).toMatchObject({ kind: 'stripe_topup', amountMicros: 22_000_000n });
  });

  it('rolls the claim back when the user cannot be credited (an unlimited balance), so nothing is half-applied', async () => {
    const u = await prisma.user.create({ data: { name: 'unlimited-payer', balanceMicros: null } });
    const s = paid(u.id);
    await expect(repo.credit(s, audit(u.id))).rejects.toMatchObject({ status: 400 });
    expect(await prisma.stripeEvent.findUnique({ where: { id: s.eventId } })).toBeNull();
    expect(await prisma.stripePayment.findUnique({ where: { sessionId: s.sessionId } })).toBeNull();
  });
});
