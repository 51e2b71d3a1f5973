import { Logger } from '@nestjs/common';
import { DomainError } from '@switchboard/contracts';
import type { AuditEntry } from '@switchboard/db';
import { startFakeStripe, type FakeStripe, type StripeObject } from '@switchboard/testing';
import Stripe from 'stripe';
import type { BalanceService } from '../ledger/balance.service';
import type { Credited } from '../ledger/balance.repository';
import type { Applied, Dispute, PaidSession, Refund, StripePayments, UnpaidSession } from './stripe-payment.repository';
import { StripePaymentsService } from './stripe-payments.service';
import type { StripeSettings } from './stripe.settings';

const SECRET = 'whsec_unit';
const signer = new Stripe('sk_test_signer');

/** The payment rows in memory: enough to see what the service asks of the repository. */
class InMemoryPayments implements StripePayments {
  readonly credits: PaidSession[] = [];
  readonly refunds: Refund[] = [];
  readonly unpaid: UnpaidSession[] = [];
  readonly disputes: { d: Dispute; outcome: string }[] = [];
  readonly audits: AuditEntry[] = [];
  known = true;
  /** why the user cannot be credited (null: it can) */
  blocked: string | null = null;
  private readonly credited: Credited = { before: 0n, after: 1n, name: 'u' };

  credit(s: PaidSession, audit: (c: Credited) => AuditEntry, unapplied: (reason: string) => AuditEntry): Promise<Applied<{ sessionId: string }>> {
    if (this.blocked) {
      this.audits.push(unapplied(this.blocked));
      return Promise.resolve({ result: 'unapplied', userId: s.userId, reason: this.blocked });
    }
    this.credits.push(s);
    this.audits.push(audit(this.credited));
    return Promise.resolve({ result: 'applied', userId: s.userId, credited: this.credited, detail: { sessionId: s.sessionId } });
  }

  reverse(
    r: Refund,
    audit: (c: Credited, userId: number, sessionId: string, reversed: bigint) => AuditEntry,
  ): Promise<Applied<{ sessionId: string; reversedMicros: bigint }>> {
    if (!this.known) return Promise.resolve({ result: 'unknown_payment' });
    this.refunds.push(r);
    this.audits.push(audit(this.credited, 7, 'cs_x', 1n));
    return Promise.resolve({ result: 'applied', userId: 7, credited: this.credited, detail: { sessionId: 'cs_x', reversedMicros: 1n } });
  }

  recordUnpaid(s: UnpaidSession): Promise<Applied<never>> {
    this.unpaid.push(s);
    return Promise.resolve({ result: 'recorded' });
  }

  dispute(
    d: Dispute,
    outcome: 'open' | 'won' | 'lost',
    audit: (c: Credited, userId: number, sessionId: string, moved: bigint) => AuditEntry,
  ): Promise<Applied<{ sessionId: string; movedMicros: bigint }>> {
    if (!this.known) return Promise.resolve({ result: 'unknown_payment' });
    this.disputes.push({ d, outcome });
    if (outcome === 'lost') return Promise.resolve({ result: 'recorded' });
    const moved = outcome === 'open' ? -1n : 1n;
    this.audits.push(audit(this.credited, 7, 'cs_x', moved));
    return Promise.resolve({ result: 'applied', userId: 7, credited: this.credited, detail: { sessionId: 'cs_x', movedMicros: moved } });
  }

  whyNotCreditable(): Promise<string | null> {
    return Promise.resolve(this.blocked);
  }

  list(): ReturnType<StripePayments['list']> {
    return Promise.resolve({ rows: [], total: 0 });
  }

  topups(): ReturnType<StripePayments['topups']> {
    return Promise.resolve({
      balanceMicros: 1_500_000n,
      entries: [{ id: 3n, kind: 'stripe_topup', amountMicros: 1_500_000n, requestId: 'stripe:cs_x', createdAt: new Date(0) }],
    });
  }
}

describe('StripePaymentsService', () => {
  let fake: FakeStripe;
  let store: InMemoryPayments;
  let notified: number[];
  const settings = (over: Partial<StripeSettings> = {}): StripeSettings => ({
    secretKey: 'sk_test_unit',
    webhookSecret: SECRET,
    apiUrl: fake.url,
    currency: 'usd',
    minAmount: 1,
    maxAmount: 100_000,
    usdPerUnit: 1,
    returnUrl: undefined,
    ...over,
  });
  const service = (over: Partial<StripeSettings> = {}) =>
    new StripePaymentsService(settings(over), store, { notifyCredited: (id: number) => Promise.resolve(void notified.push(id)) } as unknown as BalanceService);
  const deliver = (s: StripePaymentsService, event: StripeObject) => {
    const payload = JSON.stringify(event);
    return s.webhook(payload, signer.webhooks.generateTestHeaderString({ payload, secret: SECRET }));
  };

  beforeAll(async () => {
    Logger.overrideLogger(['fatal']);
    fake = await startFakeStripe({ secretKey: 'sk_test_unit' });
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    store = new InMemoryPayments();
    notified = [];
  });

  it.each([
    ['usd', 1, 12.34, '1234', '12340000'],
    ['jpy', 0.0067, 1500, '1500', '10050000'],
    ['kwd', 3.25, 1.5, '1500', '4875000'],
    ['cny', 0.14, 100, '10000', '14000000'],
  ])('charges %s in its minor unit and fixes the USD credit at the configured rate', async (currency, usdPerUnit, amount, unitAmount, creditMicros) => {
    const { url } = await service({ currency, usdPerUnit }).checkout(5, { amount }, 'http://console.test/');
    const { params } = fake.sessions.get(/cs_test_[a-f0-9]+/.exec(url)![0])!;
    expect(params).toMatchObject({
      'line_items[0][price_data][currency]': currency,
      'line_items[0][price_data][unit_amount]': unitAmount,
      'metadata[switchboard_credit_micros]': creditMicros,
      success_url: 'http://console.test/account/topup?topup=success',
    });
  });

  it('refuses amounts out of bounds, finer than the currency, or not numbers; and checkout while unconfigured (503)', async () => {
    const s = service({ minAmount: 5, maxAmount: 50 });
    for (const body of [{ amount: 4 }, { amount: 51 }, { amount: 10.001 }, { amount: '10' }, {}]) {
      await expect(s.checkout(1, body, 'http://x')).rejects.toMatchObject({ status: 400, details: { field: 'amount' } });
    }
    await expect(service({ currency: 'jpy', minAmount: 5, maxAmount: 50 }).checkout(1, { amount: 10.5 }, 'http://x')).rejects.toThrow(
      'JPY takes at most 0 decimals',
    );
    await expect(service({ secretKey: undefined }).checkout(1, { amount: 10 }, 'http://x')).rejects.toMatchObject({ status: 503 });
  });

  it('turns a Stripe API refusal into a 502', async () => {
    await expect(service({ secretKey: 'sk_test_wrong' }).checkout(1, { amount: 10 }, 'http://x')).rejects.toMatchObject({
      status: 502,
      message: expect.stringContaining('Invalid API Key'),
    });
  });

  it('credits a paid Switchboard session with the credit its metadata fixed, audited as stripe, and tells the gateways', async () => {
    const s = service();
    const { url } = await s.checkout(9, { amount: 20 }, 'http://x');
    const sessionId = /cs_test_[a-f0-9]+/.exec(url)![0];
    await expect(deliver(s, fake.completedEvent(sessionId, { id: 'evt_1' }))).resolves.toEqual({ received: true, result: 'applied' });
    expect(store.credits).toEqual([
      expect.objectContaining({
        eventId: 'evt_1',
        sessionId,
        userId: 9,
        creditMicros: 20_000_000n,
        amountTotal: 2000n,
        paymentIntent: expect.stringMatching(/^pi_/),
      }),
    ]);
    expect(store.audits[0]).toMatchObject({ actor: 'stripe', entity: 'user', entityId: 9, after: { topup: 20, stripeSession: sessionId } });
    expect(notified).toEqual([9]);
  });

  it('ignores sessions that are not Switchboard top-ups, and other event types', async () => {
    const s = service();
    const { url } = await s.checkout(9, { amount: 20 }, 'http://x');
    const sessionId = /cs_test_[a-f0-9]+/.exec(url)![0];
    const foreign = fake.completedEvent(sessionId);
    (foreign.data as { object: StripeObject }).object.metadata = { order: '42' };
    await expect(deliver(s, foreign)).resolves.toMatchObject({ result: 'ignored' });
    await expect(deliver(s, { id: 'evt_x', object: 'event', type: 'invoice.paid', data: { object: {} } })).resolves.toMatchObject({ result: 'ignored' });
    expect(store.credits).toEqual([]);
  });

  it('refuses a wrong signature (400) and every delivery while no webhook secret is set (503)', async () => {
    const payload = JSON.stringify({ id: 'evt_1', type: 'checkout.session.completed', data: { object: {} } });
    const wrong = signer.webhooks.generateTestHeaderString({ payload, secret: 'whsec_other' });
    const e = await service()
      .webhook(payload, wrong)
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(DomainError);
    expect(e).toMatchObject({ status: 400, message: expect.stringMatching(/^Stripe signature: /) });
    await expect(service({ webhookSecret: undefined }).webhook(payload, wrong)).rejects.toMatchObject({ status: 503 });
  });

  it('passes a refund on with its cumulative amount; one for a payment not yet credited is retried (503) when it is ours', async () => {
    const s = service();
    const { url } = await s.checkout(9, { amount: 20 }, 'http://x');
    const sessionId = /cs_test_[a-f0-9]+/.exec(url)![0];
    await expect(deliver(s, fake.refundedEvent(sessionId, 500, { id: 'evt_r' }))).resolves.toMatchObject({ result: 'applied' });
    expect(store.refunds).toEqual([expect.objectContaining({ eventId: 'evt_r', amountRefunded: 500n, paymentIntent: expect.stringMatching(/^pi_/) })]);
    store.known = false;
    await expect(deliver(s, fake.refundedEvent(sessionId, 2000))).rejects.toMatchObject({ status: 503 });
    const foreign = fake.refundedEvent(sessionId, 2000);
    (foreign.data as { object: StripeObject }).object.metadata = {};
    await expect(deliver(s, foreign)).resolves.toMatchObject({ result: 'ignored' });
  });

  it('refuses a checkout up front (409) for a user who could not be credited, without calling Stripe', async () => {
    store.blocked = 'the user has an unlimited balance';
    const before = fake.sessions.size;
    await expect(service().checkout(9, { amount: 20 }, 'http://x')).rejects.toMatchObject({
      status: 409,
      message: 'Top-ups are not possible: the user has an unlimited balance.',
    });
    expect(fake.sessions.size).toBe(before);
  });

  it('acknowledges (2xx) a paid session its user cannot take, as unapplied, audited on the payment', async () => {
    const s = service();
    const { url } = await s.checkout(9, { amount: 20 }, 'http://x');
    const sessionId = /cs_test_[a-f0-9]+/.exec(url)![0];
    store.blocked = 'the user no longer exists';
    await expect(deliver(s, fake.completedEvent(sessionId))).resolves.toEqual({ received: true, result: 'unapplied' });
    expect(store.audits).toEqual([
      expect.objectContaining({
        actor: 'stripe',
        entity: 'payment',
        entityId: sessionId,
        after: expect.objectContaining({ status: 'unapplied', reason: 'the user no longer exists' }),
      }),
    ]);
    expect(notified).toEqual([]);
  });

  it('records a delayed payment pending, credits it on async_payment_succeeded and records async_payment_failed', async () => {
    const s = service();
    const { url } = await s.checkout(9, { amount: 20 }, 'http://x');
    const sessionId = /cs_test_[a-f0-9]+/.exec(url)![0];
    await expect(deliver(s, fake.completedEvent(sessionId, { paymentStatus: 'unpaid' }))).resolves.toMatchObject({ result: 'recorded' });
    expect(store.credits).toEqual([]);
    await expect(deliver(s, fake.asyncPaymentEvent(sessionId, 'succeeded', { id: 'evt_ok' }))).resolves.toMatchObject({ result: 'applied' });
    expect(store.credits).toEqual([
      expect.objectContaining({ eventId: 'evt_ok', eventType: 'checkout.session.async_payment_succeeded', sessionId, creditMicros: 20_000_000n }),
    ]);
    await expect(deliver(s, fake.asyncPaymentEvent(sessionId, 'failed'))).resolves.toMatchObject({ result: 'recorded' });
    expect(store.unpaid.map((u) => [u.status, u.eventType])).toEqual([
      ['pending', 'checkout.session.completed'],
      ['failed', 'checkout.session.async_payment_failed'],
    ]);
    expect(store.credits).toHaveLength(1);
  });

  it('passes disputes on by payment intent: created withdraws, closed won restores, closed lost records; inquiries change nothing', async () => {
    const s = service();
    const { url } = await s.checkout(9, { amount: 20 }, 'http://x');
    const sessionId = /cs_test_[a-f0-9]+/.exec(url)![0];
    await expect(deliver(s, fake.disputeEvent(sessionId, 'created', { status: 'warning_needs_response' }))).resolves.toMatchObject({ result: 'ignored' });
    await expect(deliver(s, fake.disputeEvent(sessionId, 'closed', { status: 'warning_closed' }))).resolves.toMatchObject({ result: 'ignored' });
    await expect(deliver(s, fake.disputeEvent(sessionId, 'created', { amount: 1500 }))).resolves.toMatchObject({ result: 'applied' });
    await expect(deliver(s, fake.disputeEvent(sessionId, 'closed', { status: 'won' }))).resolves.toMatchObject({ result: 'applied' });
    await expect(deliver(s, fake.disputeEvent(sessionId, 'closed', { status: 'lost' }))).resolves.toMatchObject({ result: 'recorded' });
    expect(store.disputes.map(({ d, outcome }) => [outcome, d.amount, d.disputeId.startsWith('dp_'), d.paymentIntent.startsWith('pi_')])).toEqual([
      ['open', 1500n, true, true],
      ['won', 2000n, true, true],
      ['lost', 2000n, true, true],
    ]);
    expect(store.audits[0]).toMatchObject({ entity: 'user', after: { stripeDispute: expect.stringMatching(/^dp_/), disputeStatus: 'open' } });
    expect(notified).toEqual([7, 7]);
    // A dispute on a payment Switchboard does not know is another product's.
    store.known = false;
    await expect(deliver(s, fake.disputeEvent(sessionId, 'created'))).resolves.toMatchObject({ result: 'ignored' });
  });

  it('lists the balance, settings and entries in USD', async () => {
    await expect(service({ currency: 'eur', usdPerUnit: 1.1 }).topups(1)).resolves.toEqual({
      enabled: true,
      currency: 'eur',
      minAmount: 1,
      maxAmount: 100_000,
      usdPerUnit: 1.1,
      balance: 1.5,
      data: [{ id: 3, kind: 'stripe_topup', amount: 1.5, reference: 'stripe:cs_x', createdAt: '1970-01-01T00:00:00.000Z' }],
    });
  });
});
