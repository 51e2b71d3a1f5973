import { Logger } from '@nestjs/common';
import { DomainError } from '@switchboard/contracts';
import type { AuditEntry } from '@switchboard/db';
import { startFakeStripe, type FakeStripe, type StripeObject } from '@switchboard/testing';
import Stripe from 'stripe';
import type { BalanceService } from '../ledger/balance.service';
import type { Credited } from '../ledger/balance.repository';
import type { Applied, PaidSession, Refund, StripePayments } from './stripe-payment.repository';
import { StripePaymentsService } from './stripe-payments.service';
import type { StripeSettings } from './stripe.settings';

const SECRET = 'whsec_unit';
const signer = new Stripe('sk_test_signer');

/** The payment rows in memory: enough to see what the service asks of the repository. */
class InMemoryPayments implements StripePayments {
  readonly credits: PaidSession[] = [];
  readonly refunds: Refund[] = [];
  readonly audits: AuditEntry[] = [];
  known = true;
  private readonly credited: Credited = { before: 0n, after: 1n, name: 'u' };

  credit(s: PaidSession, audit: (c: Credited) => AuditEntry): Promise<Applied<{ sessionId: string }>> {
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

  it('ignores unpaid sessions, sessions that are not Switchboard top-ups, and other event types', async () => {
    const s = service();
    const { url } = await s.checkout(9, { amount: 20 }, 'http://x');
    const sessionId = /cs_test_[a-f0-9]+/.exec(url)![0];
    await expect(deliver(s, fake.completedEvent(sessionId, { paymentStatus: 'unpaid' }))).resolves.toMatchObject({ result: 'ignored' });
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
