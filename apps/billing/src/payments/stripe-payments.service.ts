import { Inject, Injectable, Logger } from '@nestjs/common';
import { CheckoutBody, DomainError, PaymentListQuery, badRequest, type CheckoutReply, type TopupsReply, type WebhookReply } from '@switchboard/contracts';
import { microsToUsd, usdToMicros, type AuditEntry } from '@switchboard/db';
import type { z } from 'zod';
import Stripe from 'stripe';
import { BalanceService } from '../ledger/balance.service';
import type { Credited } from '../ledger/balance.repository';
import { StripePaymentRepository, type Applied, type StripePayments } from './stripe-payment.repository';
import { STRIPE_SETTINGS, minorUnitsPerUnit, type StripeSettings } from './stripe.settings';

/** Metadata keys a Switchboard Checkout session (and its PaymentIntent) carries: whom to credit, and how much. */
const USER_KEY = 'switchboard_user_id';
const CREDIT_KEY = 'switchboard_credit_micros';
const ACTOR = 'stripe';

const notConfigured = (what: string) => new DomainError('unavailable', 503, `Stripe top-ups are not configured (${what} is unset).`);

/**
 * Stripe top-ups: a one-time Checkout session for an amount in the configured currency (its metadata fixes the USD
 * credit at the rate of that moment), and the webhook that credits a paid session once (at once, or when a delayed
 * method succeeds), reverses refunds in proportion once, and withdraws a disputed credit until the dispute is won.
 * Every change is a ledger entry and an audit entry in one transaction (StripePaymentRepository). A payment its user
 * cannot take (unlimited balance, deleted) is acknowledged to Stripe and kept `unapplied` for an admin
 * (`GET /api/payments`).
 */
@Injectable()
export class StripePaymentsService {
  private readonly logger = new Logger(StripePaymentsService.name);
  private readonly stripe: Stripe;

  constructor(
    @Inject(STRIPE_SETTINGS) private readonly settings: StripeSettings,
    @Inject(StripePaymentRepository) private readonly payments: StripePayments,
    private readonly balances: BalanceService,
  ) {
    const api = new URL(settings.apiUrl);
    // Without a secret key nothing calls the API; the client is still what verifies webhook signatures.
    this.stripe = new Stripe(settings.secretKey ?? 'sk_unset', {
      host: api.hostname,
      port: api.port || (api.protocol === 'http:' ? 80 : 443),
      protocol: api.protocol === 'http:' ? 'http' : 'https',
      maxNetworkRetries: 1,
      timeout: 20_000,
      appInfo: { name: 'Switchboard' },
    });
  }

  async checkout(userId: number, body: unknown, requestBaseUrl: string): Promise<CheckoutReply> {
    const s = this.settings;
    if (!s.secretKey) throw notConfigured('STRIPE_SECRET_KEY');
    const parsed = CheckoutBody.safeParse(body);
    if (!parsed.success) throw badRequest('amount: a number is required', { field: 'amount' });
    const { amount } = parsed.data;
    const cur = s.currency.toUpperCase();
    if (amount < s.minAmount || amount > s.maxAmount) throw badRequest(`amount: must be between ${s.minAmount} and ${s.maxAmount} ${cur}`, { field: 'amount' });
    const perUnit = minorUnitsPerUnit(s.currency);
    const minor = Math.round(amount * perUnit);
    if (Math.abs(minor / perUnit - amount) > 1e-9) throw badRequest(`amount: ${cur} takes at most ${Math.log10(perUnit)} decimals`, { field: 'amount' });
    const creditMicros = (BigInt(minor) * usdToMicros(s.usdPerUnit)) / BigInt(perUnit);
    // Refused before the customer pays: the webhook could only leave such a payment unapplied.
    const reason = await this.payments.whyNotCreditable(userId);
    if (reason) throw new DomainError('conflict', 409, `Top-ups are not possible: ${reason}.`);
    const metadata = { [USER_KEY]: String(userId), [CREDIT_KEY]: String(creditMicros) };
    const base = (s.returnUrl ?? requestBaseUrl).replace(/\/+$/, '');
    let session: Stripe.Checkout.Session;
    try {
      session = await this.stripe.checkout.sessions.create({
        mode: 'payment',
        line_items: [
          {
            quantity: 1,
            price_data: { currency: s.currency, unit_amount: minor, product_data: { name: `Switchboard balance top-up ($${microsToUsd(creditMicros)})` } },
          },
        ],
        client_reference_id: String(userId),
        metadata,
        // copied onto the charge, so a refund event names the top-up it reverses
        payment_intent_data: { metadata },
        success_url: `${base}/account/topup?topup=success`,
        cancel_url: `${base}/account/topup?topup=cancelled`,
      });
    } catch (e) {
      this.logger.warn(`Stripe checkout for user ${userId} failed: ${(e as Error).message}`);
      throw new DomainError('upstream_error', 502, `Stripe refused the checkout: ${(e as Error).message}`);
    }
    if (!session.url) throw new DomainError('upstream_error', 502, 'Stripe answered a checkout session without a URL.');
    return { url: session.url };
  }

  async webhook(payload: string, signature: string): Promise<WebhookReply> {
    const secret = this.settings.webhookSecret;
    if (!secret) throw notConfigured('STRIPE_WEBHOOK_SECRET');
    let event: Stripe.Event;
    try {
      event = this.stripe.webhooks.constructEvent(payload, signature, secret);
    } catch (e) {
      throw badRequest(`Stripe signature: ${(e as Error).message}`);
    }
    switch (event.type) {
      case 'checkout.session.completed':
      case 'checkout.session.async_payment_succeeded':
      case 'checkout.session.async_payment_failed':
        return this.session(event.id, event.type, event.data.object);
      case 'charge.refunded':
        return this.chargeRefunded(event.id, event.type, event.data.object);
      case 'charge.dispute.created':
      case 'charge.dispute.closed':
        return this.dispute(event.id, event.type, event.data.object);
      default:
        return { received: true, result: 'ignored' };
    }
  }

  /** `GET /api/payments` (admin): every payment with its status, newest first. */
  async list(query: z.output<typeof PaymentListQuery>) {
    const { rows, total } = await this.payments.list(query);
    return {
      data: rows.map((p) => ({
        sessionId: p.sessionId,
        paymentIntent: p.paymentIntent,
        userId: p.userId,
        amount: Number(p.amountTotal) / minorUnitsPerUnit(p.currency),
        currency: p.currency,
        credit: microsToUsd(p.creditMicros),
        credited: microsToUsd(p.creditedMicros),
        reversed: microsToUsd(p.reversedMicros),
        status: p.status,
        note: p.note,
        dispute: p.disputeId ? { id: p.disputeId, status: p.disputeStatus ?? 'open', withdrawn: microsToUsd(p.disputedMicros) } : null,
        createdAt: p.createdAt.toISOString(),
        updatedAt: p.updatedAt.toISOString(),
      })),
      total,
    };
  }

  async topups(userId: number): Promise<TopupsReply> {
    const s = this.settings;
    const { balanceMicros, entries } = await this.payments.topups(userId, 50);
    return {
      enabled: Boolean(s.secretKey),
      currency: s.currency,
      minAmount: s.minAmount,
      maxAmount: s.maxAmount,
      usdPerUnit: s.usdPerUnit,
      balance: balanceMicros === null ? null : microsToUsd(balanceMicros),
      data: entries.map((e) => ({
        id: Number(e.id),
        kind: e.kind,
        amount: microsToUsd(e.amountMicros),
        reference: e.requestId,
        createdAt: e.createdAt.toISOString(),
      })),
    };
  }

  /**
   * A Checkout session's events: `completed` credits when `payment_status` is `paid` and records a `pending` payment
   * when a delayed method has not paid yet (`unpaid`); `async_payment_succeeded` credits it then (once per session
   * whatever event carries it); `async_payment_failed` records the failure.
   */
  private async session(eventId: string, eventType: string, session: Stripe.Checkout.Session): Promise<WebhookReply> {
    const userId = Number(session.metadata?.[USER_KEY]);
    const credit = session.metadata?.[CREDIT_KEY];
    // Not a Switchboard top-up (another product on the same Stripe account).
    if (!Number.isSafeInteger(userId) || !credit || !/^\d+$/.test(credit) || session.mode !== 'payment') return { received: true, result: 'ignored' };
    const creditMicros = BigInt(credit);
    const base = {
      eventId,
      eventType,
      sessionId: session.id,
      paymentIntent: idOf(session.payment_intent),
      userId,
      amountTotal: BigInt(session.amount_total ?? 0),
      currency: session.currency ?? this.settings.currency,
      creditMicros,
    };
    const failed = eventType === 'checkout.session.async_payment_failed';
    if (failed || session.payment_status === 'unpaid') {
      const recorded = await this.payments.recordUnpaid({
        ...base,
        status: failed ? 'failed' : 'pending',
        note: failed ? 'the delayed payment method failed' : null,
      });
      if (recorded.result === 'recorded')
        this.logger.log(`Stripe session ${session.id} of user ${userId}: ${failed ? 'payment failed' : 'awaiting a delayed payment'}`);
      return { received: true, result: recorded.result === 'recorded' ? 'recorded' : 'replay' };
    }
    // no_payment_required: nothing was paid, so nothing is credited
    if (session.payment_status !== 'paid') return { received: true, result: 'ignored' };
    const applied = await this.payments.credit(
      base,
      (c) => this.audit(userId, c, { topup: microsToUsd(creditMicros), stripeSession: session.id }),
      (reason) =>
        this.unappliedAudit(userId, session.id, reason, {
          paid: `${Number(base.amountTotal) / minorUnitsPerUnit(base.currency)} ${base.currency}`,
          credit: microsToUsd(creditMicros),
        }),
    );
    if (applied.result === 'unapplied') {
      this.logger.warn(
        `Stripe session ${session.id} paid but not credited to user ${userId}: ${applied.reason}; an admin settles it (GET /api/payments?status=unapplied)`,
      );
      return { received: true, result: 'unapplied' };
    }
    if (applied.result !== 'applied') return { received: true, result: 'replay' };
    this.logger.log(`Stripe session ${session.id} credited $${microsToUsd(creditMicros)} to user ${userId}`);
    await this.balances.notifyCredited(userId);
    return { received: true, result: 'applied' };
  }

  private async chargeRefunded(eventId: string, eventType: string, charge: Stripe.Charge): Promise<WebhookReply> {
    const paymentIntent = idOf(charge.payment_intent);
    if (!paymentIntent) return { received: true, result: 'ignored' };
    const applied = await this.payments.reverse(
      { eventId, eventType, paymentIntent, amountRefunded: BigInt(charge.amount_refunded) },
      (c, userId, sessionId, reversed) => this.audit(userId, c, { refund: -microsToUsd(reversed), stripeSession: sessionId }),
      (userId, sessionId, reason) => this.unappliedAudit(userId, sessionId, reason, { refunded: charge.amount_refunded }),
    );
    if (applied.result === 'unknown_payment') {
      // Ours but its completion not applied yet (Stripe does not order deliveries): a non-2xx makes Stripe retry.
      if (charge.metadata?.[USER_KEY]) throw new DomainError('unavailable', 503, `payment ${paymentIntent} is not credited yet; retry later`);
      return { received: true, result: 'ignored' };
    }
    return this.moved(applied, (d) => `Stripe refund on ${paymentIntent} reversed $${microsToUsd(d.reversedMicros)}`);
  }

  /**
   * `charge.dispute.created` withdraws the disputed share of the credit, `charge.dispute.closed` gives it back when
   * the dispute is `won` (and keeps it withdrawn when `lost`). Inquiries (`warning_*` statuses) withdraw no funds at
   * Stripe, so they change nothing here either. A dispute carries no metadata: its payment intent finds the payment,
   * and one Switchboard does not know is another product's.
   */
  private async dispute(eventId: string, eventType: string, d: Stripe.Dispute): Promise<WebhookReply> {
    const paymentIntent = idOf(d.payment_intent);
    const outcome: 'open' | 'won' | 'lost' | null =
      eventType === 'charge.dispute.created' ? 'open' : d.status === 'won' ? 'won' : d.status === 'lost' ? 'lost' : null;
    if (!paymentIntent || !outcome || d.status.startsWith('warning_')) return { received: true, result: 'ignored' };
    const applied = await this.payments.dispute(
      { eventId, eventType, disputeId: d.id, paymentIntent, amount: BigInt(d.amount) },
      outcome,
      (c, userId, sessionId, moved) =>
        this.audit(userId, c, { dispute: microsToUsd(moved), stripeDispute: d.id, disputeStatus: outcome, stripeSession: sessionId }),
      (userId, sessionId, reason) => this.unappliedAudit(userId, sessionId, reason, { stripeDispute: d.id, disputeStatus: outcome }),
    );
    if (applied.result === 'unknown_payment') return { received: true, result: 'ignored' };
    return this.moved(applied, (m) => `Stripe dispute ${d.id} (${outcome}) moved $${microsToUsd(m.movedMicros)}`);
  }

  /** The reply (and log, and gateway notice) of a reversal or restoration. */
  private async moved<T>(applied: Applied<T>, describe: (detail: T) => string): Promise<WebhookReply> {
    switch (applied.result) {
      case 'applied':
        this.logger.log(`${describe(applied.detail)} of user ${applied.userId}`);
        await this.balances.notifyCredited(applied.userId);
        return { received: true, result: 'applied' };
      case 'unapplied':
        this.logger.warn(`Stripe reversal for user ${applied.userId} not applied: ${applied.reason}`);
        return { received: true, result: 'unapplied' };
      case 'recorded':
        return { received: true, result: 'recorded' };
      default:
        return { received: true, result: 'replay' };
    }
  }

  /** A payment (or a reversal) the user could not take: on the payment's audit trail, for an admin to settle. */
  private unappliedAudit(userId: number, sessionId: string, reason: string, extra: Record<string, unknown>): AuditEntry {
    return { actor: ACTOR, action: 'update', entity: 'payment', entityId: sessionId, after: { sessionId, userId, status: 'unapplied', reason, ...extra } };
  }

  private audit(userId: number, c: Credited, extra: Record<string, unknown>): AuditEntry {
    return {
      actor: ACTOR,
      action: 'update',
      entity: 'user',
      entityId: userId,
      before: { id: userId, name: c.name, balance: microsToUsd(c.before) },
      after: { id: userId, name: c.name, balance: microsToUsd(c.after), ...extra },
    };
  }
}

const idOf = (v: string | { id: string } | null | undefined): string | null => (v == null ? null : typeof v === 'string' ? v : v.id);
