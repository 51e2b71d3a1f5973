import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Stripe's API as Switchboard's top-ups use it, in Stripe's shapes (docs.stripe.com/api):
 * - `POST /v1/checkout/sessions` (form-encoded, `Authorization: Bearer sk_…`) → a `checkout.session` object whose
 *   `url` points at this fake's own `/c/pay/<id>` page (a stand-in for the hosted Checkout page); a wrong key → 401,
 *   a missing required parameter → 400, both as Stripe's `{ error: { type, message, param } }`;
 * - `GET /c/pay/<id>` → a small HTML page naming the session and its amount.
 * What the tests then need from Stripe is its events: `completedEvent`, `asyncPaymentEvent`, `refundedEvent` and
 * `disputeEvent` build the `event` objects Stripe would deliver for a session created here (the caller signs and
 * posts them, as Stripe does). A delayed payment method (e.g. a bank debit) completes the session `unpaid` with its
 * PaymentIntent still processing, then `checkout.session.async_payment_succeeded` (now `paid`) or `…_failed`.
 */
export interface FakeStripe {
  url: string;
  /** the sessions created, by id, as returned (params: the form fields exactly as sent) */
  sessions: Map<string, { session: StripeObject; params: Record<string, string> }>;
  requests: { method: string; path: string; key: string | undefined; stripeVersion: string | undefined }[];
  /** `checkout.session.completed` for a created session, now paid (a new event id each call unless `id` is given) */
  completedEvent(sessionId: string, opts?: { id?: string; paymentStatus?: 'paid' | 'unpaid' }): StripeObject;
  /** `checkout.session.async_payment_succeeded` (the session now `paid`) or `…_failed` (still `unpaid`) after a delayed method */
  asyncPaymentEvent(sessionId: string, outcome: 'succeeded' | 'failed', opts?: { id?: string }): StripeObject;
  /** `charge.refunded` for the payment of a completed session: `amountRefunded` is cumulative, in minor units */
  refundedEvent(sessionId: string, amountRefunded: number, opts?: { id?: string }): StripeObject;
  /**
   * `charge.dispute.created` (status `needs_response`, or `warning_needs_response` for an inquiry) or
   * `charge.dispute.closed` (`won`, `lost`, `warning_closed`) for the payment of a session; one dispute per charge,
   * so its id is stable; `amount` defaults to the whole payment
   */
  disputeEvent(
    sessionId: string,
    type: 'created' | 'closed',
    opts?: { id?: string; status?: 'needs_response' | 'warning_needs_response' | 'won' | 'lost' | 'warning_closed'; amount?: number },
  ): StripeObject;
  close(): Promise<void>;
}

export type StripeObject = Record<string, unknown>;

const REQUIRED = ['mode', 'success_url', 'line_items[0][quantity]', 'line_items[0][price_data][currency]', 'line_items[0][price_data][unit_amount]'];
const id = (prefix: string) => `${prefix}_test_${randomBytes(12).toString('hex')}`;
const now = () => Math.floor(Date.now() / 1000);

function send(res: ServerResponse, status: number, body: unknown, type = 'application/json'): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(text), 'request-id': id('req') });
  res.end(text);
}

const stripeError = (type: string, message: string, param?: string) => ({ error: { type, message, ...(param ? { param } : {}) } });

/** Stripe's form encoding (`metadata[k]=v`, `line_items[0][price_data][currency]=usd`) → the `metadata` object. */
function metadataOf(params: Record<string, string>, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) {
    const m = k.startsWith(`${prefix}[`) ? /^\[([^\]]+)\]$/.exec(k.slice(prefix.length)) : null;
    if (m) out[m[1]] = v;
  }
  return out;
}

/** A session as its completion (and async payment) events carry it. */
function completedSession(session: StripeObject, params: Record<string, string>, paymentStatus: string, paymentIntent: string): StripeObject {
  return {
    ...session,
    status: 'complete',
    payment_status: paymentStatus,
    payment_intent: paymentIntent,
    customer_details: { address: null, email: 'buyer@example.com', name: 'Buyer', phone: null, tax_exempt: 'none', tax_ids: [] },
    metadata: metadataOf(params, 'metadata'),
  };
}

export async function startFakeStripe(opts: { secretKey?: string } = {}): Promise<FakeStripe> {
  const secretKey = opts.secretKey ?? 'sk_test_fake';
  const sessions: FakeStripe['sessions'] = new Map();
  const requests: FakeStripe['requests'] = [];
  const paymentIntents = new Map<string, string>();
  const disputes = new Map<string, string>();
  let base = '';

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const path = req.url ?? '/';
    const auth = req.headers.authorization;
    const key = auth?.startsWith('Bearer ') ? auth.slice(7) : undefined;
    requests.push({ method: req.method ?? 'GET', path, key, stripeVersion: req.headers['stripe-version'] as string | undefined });
    const page = /^\/c\/pay\/(cs_[A-Za-z0-9_]+)/.exec(path);
    if (req.method === 'GET' && page) {
      const s = sessions.get(page[1]);
      if (!s) return send(res, 404, '<h1>Not found</h1>', 'text/html');
      const amount = (Number(s.session.amount_total) / 100).toFixed(2);
      return send(
        res,
        200,
        `<!doctype html><title>Fake Checkout</title><h1>Fake Checkout</h1><p id="session">${page[1]}</p><p id="amount">${amount} ${String(s.session.currency).toUpperCase()}</p>`,
        'text/html',
      );
    }
    if (req.method !== 'POST' || path.split('?')[0] !== '/v1/checkout/sessions') {
      return send(res, 404, stripeError('invalid_request_error', `Unrecognized request URL (${req.method}: ${path}).`));
    }
    if (key !== secretKey) return send(res, 401, stripeError('invalid_request_error', `Invalid API Key provided: ${key ? `${key.slice(0, 8)}****` : ''}`));
    const params = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
    const missing = REQUIRED.find((p) => params[p] === undefined || params[p] === '');
    if (missing) return send(res, 400, stripeError('invalid_request_error', `Missing required param: ${missing}.`, missing));
    if (params.mode !== 'payment') return send(res, 400, stripeError('invalid_request_error', 'This fake only opens payment sessions.', 'mode'));
    const unitAmount = Number(params['line_items[0][price_data][unit_amount]']);
    const quantity = Number(params['line_items[0][quantity]']);
    if (!Number.isInteger(unitAmount) || unitAmount < 1) {
      return send(res, 400, stripeError('invalid_request_error', 'Invalid integer: unit_amount', 'line_items[0][price_data][unit_amount]'));
    }
    const sessionId = id('cs');
    const total = unitAmount * quantity;
    const session: StripeObject = {
      id: sessionId,
      object: 'checkout.session',
      adaptive_pricing: { enabled: false },
      after_expiration: null,
      allow_promotion_codes: null,
      amount_subtotal: total,
      amount_total: total,
      automatic_tax: { enabled: false, liability: null, status: null },
      billing_address_collection: null,
      cancel_url: params.cancel_url ?? null,
      client_reference_id: params.client_reference_id ?? null,
      client_secret: null,
      consent: null,
      consent_collection: null,
      created: now(),
      currency: params['line_items[0][price_data][currency]'],
      currency_conversion: null,
      custom_fields: [],
      custom_text: { after_submit: null, shipping_address: null, submit: null, terms_of_service_acceptance: null },
      customer: null,
      customer_creation: 'if_required',
      customer_details: null,
      customer_email: null,
      expires_at: now() + 86_400,
      invoice: null,
      invoice_creation: {
        enabled: false,
        invoice_data: { account_tax_ids: null, custom_fields: null, description: null, footer: null, issuer: null, metadata: {}, rendering_options: null },
      },
      livemode: false,
      locale: null,
      metadata: metadataOf(params, 'metadata'),
      mode: 'payment',
      payment_intent: null,
      payment_link: null,
      payment_method_collection: 'if_required',
      payment_method_configuration_details: null,
      payment_method_options: { card: { request_three_d_secure: 'automatic' } },
      payment_method_types: ['card'],
      payment_status: 'unpaid',
      phone_number_collection: { enabled: false },
      recovered_from: null,
      saved_payment_method_options: null,
      setup_intent: null,
      shipping_address_collection: null,
      shipping_cost: null,
      shipping_details: null,
      shipping_options: [],
      status: 'open',
      submit_type: null,
      subscription: null,
      success_url: params.success_url,
      total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: 0 },
      ui_mode: 'hosted',
      url: `${base}/c/pay/${sessionId}#fidkdWxOYHwnPyd1blpxYHZxWjA0`,
    };
    sessions.set(sessionId, { session, params });
    send(res, 200, session);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: Error) => send(res, 500, stripeError('api_error', e.message)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const event = (type: string, object: StripeObject, eventId?: string): StripeObject => ({
    id: eventId ?? id('evt'),
    object: 'event',
    api_version: '2025-01-27.acacia',
    created: now(),
    data: { object },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
  });
  const sessionOf = (sessionId: string) => {
    const s = sessions.get(sessionId);
    if (!s) throw new Error(`fake stripe: no session ${sessionId}`);
    return s;
  };
  const paymentIntentOf = (sessionId: string) => {
    let pi = paymentIntents.get(sessionId);
    if (!pi) paymentIntents.set(sessionId, (pi = id('pi')));
    return pi;
  };

  return {
    url: base,
    sessions,
    requests,
    completedEvent(sessionId, o = {}) {
      const { session, params } = sessionOf(sessionId);
      // Unpaid at completion means a delayed method: its PaymentIntent exists (processing) all the same.
      return event('checkout.session.completed', completedSession(session, params, o.paymentStatus ?? 'paid', paymentIntentOf(sessionId)), o.id);
    },
    asyncPaymentEvent(sessionId, outcome, o = {}) {
      const { session, params } = sessionOf(sessionId);
      return event(
        `checkout.session.async_payment_${outcome}`,
        completedSession(session, params, outcome === 'succeeded' ? 'paid' : 'unpaid', paymentIntentOf(sessionId)),
        o.id,
      );
    },
    refundedEvent(sessionId, amountRefunded, o = {}) {
      const { session, params } = sessionOf(sessionId);
      const amount = Number(session.amount_total);
      return event(
        'charge.refunded',
        {
          id: `ch_${paymentIntentOf(sessionId).slice(3)}`,
          object: 'charge',
          amount,
          amount_captured: amount,
          amount_refunded: amountRefunded,
          captured: true,
          created: now(),
          currency: session.currency,
          livemode: false,
          metadata: metadataOf(params, 'payment_intent_data[metadata]'),
          paid: true,
          payment_intent: paymentIntentOf(sessionId),
          refunded: amountRefunded >= amount,
          status: 'succeeded',
        },
        o.id,
      );
    },
    disputeEvent(sessionId, type, o = {}) {
      const { session } = sessionOf(sessionId);
      const pi = paymentIntentOf(sessionId);
      let dp = disputes.get(sessionId);
      if (!dp) disputes.set(sessionId, (dp = id('dp')));
      const status = o.status ?? (type === 'created' ? 'needs_response' : 'won');
      const inquiry = status.startsWith('warning_');
      const amount = o.amount ?? Number(session.amount_total);
      return event(
        `charge.dispute.${type}`,
        {
          id: dp,
          object: 'dispute',
          amount,
          // an inquiry withdraws nothing; a dispute withdraws once, and a won one reinstates once
          balance_transactions: inquiry ? [] : [{ id: id('txn'), object: 'balance_transaction', amount: -amount, type: 'adjustment' }],
          charge: `ch_${pi.slice(3)}`,
          created: now(),
          currency: session.currency,
          enhanced_eligibility_types: [],
          evidence: { product_description: null, uncategorized_text: null },
          evidence_details: { due_by: now() + 7 * 86_400, has_evidence: false, past_due: false, submission_count: 0 },
          is_charge_refundable: inquiry,
          livemode: false,
          metadata: {},
          payment_intent: pi,
          payment_method_details: { card: { brand: 'visa', network_reason_code: '10.4' }, type: 'card' },
          reason: 'fraudulent',
          status,
        },
        o.id,
      );
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
