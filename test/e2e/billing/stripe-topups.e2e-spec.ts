// Stripe top-ups (SPEC §8, README "Payments (Stripe)"): a signed-in user opens a Checkout session (against a fake
// Stripe API), Stripe's signed webhook credits the balance once per event and per session (replays, concurrent
// duplicates), refunds reverse the credit in proportion once; unknown events are acknowledged and ignored, bad
// signatures refused. Standalone in full, and the credit path through the cluster (gateway → NATS → billing).
import Stripe from 'stripe';
import { startFakeStripe, type FakeStripe, type StripeObject } from '@switchboard/testing';
import { adminClient, startStandalone, type System } from '../../support/harness';
import { startIsolatedCluster, type IsolatedCluster } from '../limits/support/private-brokers';

jest.setTimeout(180_000);

type Row = Record<string, any>;
const WEBHOOK_SECRET = 'whsec_test_switchboard_e2e';
const SECRET_KEY = 'sk_test_switchboard_e2e';
const signer = new Stripe('sk_test_signer');

/** A running system with the fake Stripe, one signed-in user, and the calls the tests make. */
async function setUp(sys: System | IsolatedCluster, fake: FakeStripe, name: string) {
  const url = sys.url;
  const admin = adminClient(url, sys.adminKey);
  const created = await admin.post<Row>('/api/users', { name, role: 'user', password: `${name}-password-1`, balance: 0 });
  expect(created.status).toBe(201);
  const userId = created.body.id as number;
  const login = await fetch(`${url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: name, password: `${name}-password-1` }),
  });
  expect(login.status).toBe(200);
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
  const csrf = ((await login.json()) as Row).csrfToken as string;
  const me = async (method: string, path: string, body?: unknown, headers: Record<string, string> = { cookie, 'x-csrf-token': csrf }) => {
    const r = await fetch(url + path, {
      method,
      headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: r.status, body: (await r.json()) as Row };
  };
  /** Posts an event the way Stripe does: the JSON bytes and a Stripe-Signature over exactly them. */
  const deliver = async (event: StripeObject, opts: { secret?: string; payload?: string; signature?: string } = {}) => {
    const payload = opts.payload ?? JSON.stringify(event, null, 2);
    const signature = opts.signature ?? signer.webhooks.generateTestHeaderString({ payload, secret: opts.secret ?? WEBHOOK_SECRET });
    const r = await fetch(`${url}/api/webhooks/stripe`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'stripe-signature': signature,
        'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
      },
      body: payload,
    });
    return { status: r.status, body: (await r.json()) as Row, payload, signature };
  };
  const balance = async () => (await admin.get<Row>(`/api/users/${userId}`)).body.balance as number;
  const ledger = async (kind: string) => (await admin.get<{ data: Row[]; sum: number }>(`/api/ledger?userId=${userId}&kind=${kind}`)).body;
  const checkout = async (amount: number) => {
    const r = await me('POST', '/api/me/topup/checkout', { amount });
    expect(r.status).toBe(200);
    const sessionId = /\/c\/pay\/(cs_test_[a-f0-9]+)/.exec(r.body.url as string)![1];
    expect(fake.sessions.has(sessionId)).toBe(true);
    return sessionId;
  };
  return { url, admin, userId, me, deliver, balance, ledger, checkout, cookie, csrf };
}

describe('Stripe top-ups (standalone)', () => {
  let fake: FakeStripe;
  let sys: System;
  let t: Awaited<ReturnType<typeof setUp>>;
  let firstSession: string;

  beforeAll(async () => {
    fake = await startFakeStripe({ secretKey: SECRET_KEY });
    sys = await startStandalone({
      STRIPE_SECRET_KEY: SECRET_KEY,
      STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      STRIPE_API_URL: fake.url,
      STRIPE_CURRENCY: 'eur',
      STRIPE_USD_PER_UNIT: '1.1',
      STRIPE_MIN_AMOUNT: '5',
      STRIPE_MAX_AMOUNT: '500',
    });
    t = await setUp(sys, fake, 'payer');
  });
  afterAll(async () => {
    await sys?.stop();
    await fake?.close();
  });

  it('opens a one-time Checkout session in the configured currency for the signed-in user and answers its URL', async () => {
    const r = await t.me('POST', '/api/me/topup/checkout', { amount: 20 });
    expect(r.status).toBe(200);
    expect(r.body.url).toMatch(new RegExp(`^${fake.url}/c/pay/cs_test_`));
    firstSession = /\/c\/pay\/(cs_test_[a-f0-9]+)/.exec(r.body.url as string)![1]!;
    const { params } = fake.sessions.get(firstSession)!;
    expect(params).toMatchObject({
      mode: 'payment',
      'line_items[0][quantity]': '1',
      'line_items[0][price_data][currency]': 'eur',
      'line_items[0][price_data][unit_amount]': '2000',
      client_reference_id: String(t.userId),
      'metadata[switchboard_user_id]': String(t.userId),
      'metadata[switchboard_credit_micros]': '22000000',
      'payment_intent_data[metadata][switchboard_user_id]': String(t.userId),
      success_url: `${t.url}/account/topup?topup=success`,
      cancel_url: `${t.url}/account/topup?topup=cancelled`,
    });
    expect(fake.requests.at(-1)).toMatchObject({ method: 'POST', path: '/v1/checkout/sessions', key: SECRET_KEY });
  });

  it('refuses amounts outside the configured bounds or finer than the currency, a write without CSRF, and the admin key', async () => {
    const before = fake.sessions.size;
    for (const amount of [4.99, 500.01, 10.005]) {
      const r = await t.me('POST', '/api/me/topup/checkout', { amount });
      expect([amount, r.status, r.body.error?.message]).toEqual([amount, 400, expect.stringMatching(/^amount: /)]);
    }
    expect((await t.me('POST', '/api/me/topup/checkout', { amount: '20' })).status).toBe(400);
    expect((await t.me('POST', '/api/me/topup/checkout', { amount: 20 }, { cookie: t.cookie })).status).toBe(403);
    expect((await t.me('POST', '/api/me/topup/checkout', { amount: 20 }, { authorization: `Bearer ${sys.adminKey}` })).status).toBe(403);
    expect((await t.me('POST', '/api/me/topup/checkout', { amount: 20 }, {})).status).toBe(401);
    expect(fake.sessions.size).toBe(before);
  });

  it('credits a paid session once: the signed event applies, its replay and another event for the same session do not', async () => {
    const event = fake.completedEvent(firstSession);
    const first = await t.deliver(event);
    expect([first.status, first.body]).toEqual([200, { received: true, result: 'applied' }]);
    expect(await t.balance()).toBe(22);
    // Stripe redelivers the very same bytes and signature on a retry.
    const again = await fetch(`${t.url}/api/webhooks/stripe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': first.signature },
      body: first.payload,
    });
    expect([again.status, await again.json()]).toEqual([200, { received: true, result: 'replay' }]);
    const sameSession = await t.deliver(fake.completedEvent(firstSession));
    expect([sameSession.status, sameSession.body.result]).toEqual([200, 'replay']);
    expect(await t.balance()).toBe(22);
    const credits = await t.ledger('stripe_topup');
    expect(credits.data.map((e) => [e.amount, e.requestId])).toEqual([[22, `stripe:${firstSession}`]]);
    const audit = await t.admin.get<{ data: Row[] }>(`/api/audit?entity=user&entityId=${t.userId}`);
    expect(audit.body.data.find((a) => a.actor === 'stripe')).toMatchObject({
      action: 'update',
      before: { balance: 0 },
      after: { balance: 22, topup: 22, stripeSession: firstSession },
    });
  });

  it('refuses a bad signature, a tampered body and a missing signature (400), crediting nothing', async () => {
    const session = await t.checkout(10);
    const event = fake.completedEvent(session);
    expect((await t.deliver(event, { secret: 'whsec_wrong' })).status).toBe(400);
    const signed = await t.deliver(fake.completedEvent(session), { signature: 't=1,v1=deadbeef' });
    expect(signed.status).toBe(400);
    const payload = JSON.stringify(event);
    const signature = signer.webhooks.generateTestHeaderString({ payload, secret: WEBHOOK_SECRET });
    const tampered = await t.deliver(event, { payload: payload.replace('"amount_total":1000', '"amount_total":100000'), signature });
    expect(tampered.status).toBe(400);
    const none = await fetch(`${t.url}/api/webhooks/stripe`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: payload });
    expect(none.status).toBe(400);
    expect(await t.balance()).toBe(22);
  });

  it('credits once when Stripe delivers the same event concurrently', async () => {
    const session = await t.checkout(10);
    const event = fake.completedEvent(session);
    const payload = JSON.stringify(event);
    const signature = signer.webhooks.generateTestHeaderString({ payload, secret: WEBHOOK_SECRET });
    const results = await Promise.all(Array.from({ length: 8 }, () => t.deliver(event, { payload, signature })));
    expect(results.map((r) => r.status)).toEqual(Array(8).fill(200));
    expect(results.filter((r) => r.body.result === 'applied')).toHaveLength(1);
    expect(await t.balance()).toBe(33);
  });

  it('reverses refunds in proportion, each once: a partial refund, its replay, then the rest', async () => {
    const partial = fake.refundedEvent(firstSession, 500);
    expect((await t.deliver(partial)).body.result).toBe('applied');
    expect(await t.balance()).toBe(27.5);
    expect((await t.deliver(partial)).body.result).toBe('replay');
    expect(await t.balance()).toBe(27.5);
    expect((await t.deliver(fake.refundedEvent(firstSession, 2000))).body.result).toBe('applied');
    expect(await t.balance()).toBe(11);
    // Another event reporting the same cumulative refund reverses nothing more.
    expect((await t.deliver(fake.refundedEvent(firstSession, 2000))).body.result).toBe('replay');
    expect(await t.balance()).toBe(11);
    const reversals = await t.ledger('stripe_refund');
    expect(reversals.data.map((e) => e.amount).sort()).toEqual([-16.5, -5.5]);
    expect(reversals.sum).toBe(-22);
    // Every balance move was a ledger entry: the reconciliation finds no drift.
    const rec = await t.admin.get<Row>('/api/ledger/reconciliation');
    expect(rec.body).toMatchObject({ consistent: true, users: { drifted: 0 } });
  });

  it('acknowledges events it has no use for, and records a completed session that is not paid yet, without a change', async () => {
    const other = await t.deliver({ id: 'evt_test_other', object: 'event', type: 'customer.created', data: { object: { id: 'cus_1', object: 'customer' } } });
    expect([other.status, other.body]).toEqual([200, { received: true, result: 'ignored' }]);
    const session = await t.checkout(50);
    const unpaid = await t.deliver(fake.completedEvent(session, { paymentStatus: 'unpaid' }));
    expect([unpaid.status, unpaid.body.result]).toEqual([200, 'recorded']);
    expect(await t.balance()).toBe(11);
  });

  it('shows the user its balance, the currency and bounds, and its credits and reversals', async () => {
    const r = await t.me('GET', '/api/me/topups');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ enabled: true, currency: 'eur', minAmount: 5, maxAmount: 500, usdPerUnit: 1.1, balance: 11 });
    expect(r.body.data.map((e: Row) => [e.kind, e.amount])).toEqual([
      ['stripe_refund', -16.5],
      ['stripe_refund', -5.5],
      ['stripe_topup', 11],
      ['stripe_topup', 22],
    ]);
  });

  it('refuses a checkout (409) for a user with an unlimited balance, before Stripe is asked', async () => {
    const u = await setUp(sys, fake, 'unlimited-payer');
    expect((await u.admin.patch(`/api/users/${u.userId}`, { balance: null })).status).toBe(200);
    const before = fake.sessions.size;
    const r = await u.me('POST', '/api/me/topup/checkout', { amount: 20 });
    expect([r.status, r.body.error?.message]).toEqual([409, 'Top-ups are not possible: the user has an unlimited balance.']);
    expect(fake.sessions.size).toBe(before);
  });

  it('acknowledges a paid session its user can no longer take (turned unlimited, deleted) as unapplied, audited and listed for admins', async () => {
    const u = await setUp(sys, fake, 'turned-unlimited');
    const session = await u.checkout(20);
    expect((await u.admin.patch(`/api/users/${u.userId}`, { balance: null })).status).toBe(200);
    const paid = await u.deliver(fake.completedEvent(session));
    expect([paid.status, paid.body]).toEqual([200, { received: true, result: 'unapplied' }]);
    // Stripe retries the same event: still acknowledged, recorded once.
    expect((await u.deliver(JSON.parse(paid.payload) as StripeObject)).body.result).toBe('replay');
    expect((await u.admin.get<Row>(`/api/users/${u.userId}`)).body.balance).toBeNull();

    const d = await setUp(sys, fake, 'deleted-payer');
    const gone = await d.checkout(30);
    expect((await d.admin.del(`/api/users/${d.userId}`)).status).toBe(200);
    expect((await d.deliver(fake.completedEvent(gone))).body.result).toBe('unapplied');

    const listed = await u.admin.get<{ data: Row[]; total: number }>('/api/payments?status=unapplied');
    expect(listed.status).toBe(200);
    expect(listed.body.data.map((p) => [p.sessionId, p.userId, p.amount, p.currency, p.credit, p.credited, p.status, p.note])).toEqual([
      [gone, d.userId, 30, 'eur', 33, 0, 'unapplied', 'the user no longer exists'],
      [session, u.userId, 20, 'eur', 22, 0, 'unapplied', 'the user has an unlimited balance'],
    ]);
    const audit = await u.admin.get<{ data: Row[] }>(`/api/audit?entity=payment&entityId=${session}`);
    expect(audit.body.data).toEqual([
      expect.objectContaining({
        actor: 'stripe',
        after: expect.objectContaining({ status: 'unapplied', userId: u.userId, reason: 'the user has an unlimited balance' }),
      }),
    ]);
    const bad = await u.admin.get<Row>('/api/payments?status=lost');
    expect(bad.status).toBe(400);
  });

  it('credits a delayed payment only when it succeeds (once), and records one that fails', async () => {
    const u = await setUp(sys, fake, 'bank-debit');
    const session = await u.checkout(10);
    expect((await u.deliver(fake.completedEvent(session, { paymentStatus: 'unpaid' }))).body.result).toBe('recorded');
    expect(await u.balance()).toBe(0);
    const pending = await u.admin.get<{ data: Row[] }>(`/api/payments?userId=${u.userId}`);
    expect(pending.body.data.map((p) => [p.sessionId, p.status, p.credited])).toEqual([[session, 'pending', 0]]);
    const succeeded = fake.asyncPaymentEvent(session, 'succeeded');
    const results = await Promise.all([u.deliver(succeeded), u.deliver(succeeded), u.deliver(fake.asyncPaymentEvent(session, 'succeeded'))]);
    expect(results.map((r) => [r.status, r.body.result]).sort()).toEqual([
      [200, 'applied'],
      [200, 'replay'],
      [200, 'replay'],
    ]);
    expect(await u.balance()).toBe(11);
    // A completion replayed late (or a stray failure) does not undo or repeat the credit.
    expect((await u.deliver(fake.completedEvent(session))).body.result).toBe('replay');
    expect((await u.deliver(fake.asyncPaymentEvent(session, 'failed'))).body.result).toBe('replay');
    expect(await u.balance()).toBe(11);

    const failing = await u.checkout(15);
    await u.deliver(fake.completedEvent(failing, { paymentStatus: 'unpaid' }));
    expect((await u.deliver(fake.asyncPaymentEvent(failing, 'failed'))).body.result).toBe('recorded');
    expect(await u.balance()).toBe(11);
    const listed = await u.admin.get<{ data: Row[] }>(`/api/payments?userId=${u.userId}`);
    expect(listed.body.data.map((p) => [p.sessionId, p.status, p.credited, p.note])).toEqual([
      [failing, 'failed', 0, 'the delayed payment method failed'],
      [session, 'credited', 11, null],
    ]);
  });

  it('withdraws a disputed credit once and gives it back once when the dispute is won; an inquiry changes nothing', async () => {
    const u = await setUp(sys, fake, 'disputer');
    const session = await u.checkout(20);
    await u.deliver(fake.completedEvent(session));
    expect(await u.balance()).toBe(22);
    expect((await u.deliver(fake.disputeEvent(session, 'created', { status: 'warning_needs_response' }))).body.result).toBe('ignored');
    expect(await u.balance()).toBe(22);
    const created = fake.disputeEvent(session, 'created');
    expect((await u.deliver(created)).body.result).toBe('applied');
    expect((await u.deliver(created)).body.result).toBe('replay');
    expect((await u.deliver(fake.disputeEvent(session, 'created'))).body.result).toBe('replay');
    expect(await u.balance()).toBe(0);
    const won = fake.disputeEvent(session, 'closed', { status: 'won' });
    const results = await Promise.all([u.deliver(won), u.deliver(won), u.deliver(fake.disputeEvent(session, 'closed', { status: 'won' }))]);
    expect(results.map((r) => r.body.result).sort()).toEqual(['applied', 'replay', 'replay']);
    expect(await u.balance()).toBe(22);
    expect((await u.ledger('stripe_dispute')).data.map((e) => e.amount).sort()).toEqual([-22, 22]);
    const [p] = (await u.admin.get<{ data: Row[] }>(`/api/payments?userId=${u.userId}`)).body.data;
    expect(p).toMatchObject({ status: 'credited', dispute: { id: expect.stringMatching(/^dp_/), status: 'won', withdrawn: 22 } });
    expect((await u.admin.get<Row>('/api/ledger/reconciliation')).body).toMatchObject({ consistent: true });

    // A lost dispute keeps the credit withdrawn.
    const lost = await u.checkout(10);
    await u.deliver(fake.completedEvent(lost));
    await u.deliver(fake.disputeEvent(lost, 'created', { amount: 500 }));
    expect(await u.balance()).toBe(27.5);
    expect((await u.deliver(fake.disputeEvent(lost, 'closed', { status: 'lost' }))).body.result).toBe('recorded');
    expect(await u.balance()).toBe(27.5);
  });
});

describe('Stripe top-ups (cluster)', () => {
  let fake: FakeStripe;
  let sys: IsolatedCluster | null = null;

  beforeAll(async () => {
    fake = await startFakeStripe({ secretKey: SECRET_KEY });
    sys = await startIsolatedCluster({
      gateways: 1,
      env: { STRIPE_SECRET_KEY: SECRET_KEY, STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET, STRIPE_API_URL: fake.url },
      fallbackRedisDb: 13,
    });
  });
  afterAll(async () => {
    await sys?.stop();
    await fake?.close();
  });

  it('checkout at the gateway, the webhook through NATS to billing: credited once under duplicates, refund reversed once', async () => {
    if (!sys) return;
    const t = await setUp(sys, fake, 'clusterpayer');
    const session = await t.checkout(25);
    expect(fake.sessions.get(session)!.params).toMatchObject({
      'line_items[0][price_data][currency]': 'usd',
      'metadata[switchboard_credit_micros]': '25000000',
    });
    expect((await t.deliver(fake.completedEvent(session), { secret: 'whsec_wrong' })).status).toBe(400);
    const event = fake.completedEvent(session);
    const payload = JSON.stringify(event);
    const signature = signer.webhooks.generateTestHeaderString({ payload, secret: WEBHOOK_SECRET });
    const results = await Promise.all(Array.from({ length: 4 }, () => t.deliver(event, { payload, signature })));
    expect(results.map((r) => [r.status, r.body.result]).sort()).toEqual([
      [200, 'applied'],
      [200, 'replay'],
      [200, 'replay'],
      [200, 'replay'],
    ]);
    expect(await t.balance()).toBe(25);
    const refund = fake.refundedEvent(session, 2500);
    expect((await t.deliver(refund)).body.result).toBe('applied');
    expect((await t.deliver(refund)).body.result).toBe('replay');
    expect(await t.balance()).toBe(0);
    expect((await t.ledger('stripe_topup')).data).toHaveLength(1);
    expect((await t.ledger('stripe_refund')).sum).toBe(-25);
  });
});
