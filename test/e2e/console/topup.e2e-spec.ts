import Stripe from 'stripe';
import { startFakeStripe, type FakeStripe } from '@switchboard/testing';
import { adminClient, startStandalone, type System } from '../../support/harness';
import { openConsole, type ConsoleBrowser } from './console-browser';

jest.setTimeout(120_000);

const WEBHOOK_SECRET = 'whsec_test_console';

/** Top-ups in the console (Chromium): the form opens Checkout (a fake Stripe), the webhook credits, the page shows it; en + zh. */
describe('console top-ups (standalone)', () => {
  let fake: FakeStripe;
  let sys: System;
  let cb: ConsoleBrowser;

  beforeAll(async () => {
    fake = await startFakeStripe({ secretKey: 'sk_test_console' });
    sys = await startStandalone({
      STRIPE_SECRET_KEY: 'sk_test_console',
      STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      STRIPE_API_URL: fake.url,
      STRIPE_CURRENCY: 'eur',
      STRIPE_USD_PER_UNIT: '1.1',
    });
    const r = await adminClient(sys.url, sys.adminKey).post('/api/users', { name: 'paula', password: 'paula-password-1', balance: 2 });
    expect(r.status).toBe(201);
    cb = await openConsole(sys, { signedIn: false });
  });
  afterAll(async () => {
    await cb?.close();
    await sys?.stop();
    await fake?.close();
  });

  it('a user tops up: the form sends the browser to Checkout, and once Stripe confirms, the balance and history show it', async () => {
    const { page } = cb;
    await page.goto('/account/topup');
    await page.getByLabel('Username').fill('paula');
    await page.getByLabel('Password').fill('paula-password-1');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('tab', { name: 'Top up', selected: true }).waitFor();
    await expect(page.getByTestId('topup-balance').textContent()).resolves.toBe('$2.00');
    await page.getByText('No top-ups yet').waitFor();
    await page.getByText('1 EUR credits $1.1 to your balance.').waitFor();
    await page.getByLabel('Amount (EUR)').fill('12.5');
    await cb.shot('account-topup-light');
    await page.getByRole('button', { name: 'Continue to payment' }).click();
    await page.waitForURL(new RegExp(`^${fake.url}/c/pay/cs_test_`));
    await page.getByRole('heading', { name: 'Fake Checkout' }).waitFor();
    const sessionId = (await page.locator('#session').textContent())!;
    const { params } = fake.sessions.get(sessionId)!;
    expect(params['line_items[0][price_data][unit_amount]']).toBe('1250');

    // Stripe confirms the payment to the webhook, then sends the customer back.
    const payload = JSON.stringify(fake.completedEvent(sessionId));
    const signature = new Stripe('sk_test_signer').webhooks.generateTestHeaderString({ payload, secret: WEBHOOK_SECRET });
    const delivered = await fetch(`${sys.url}/api/webhooks/stripe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': signature },
      body: payload,
    });
    expect(delivered.status).toBe(200);
    await page.goto(params.success_url);
    await page.getByTestId('topup-returned').waitFor();
    await expect(page.getByTestId('topup-balance').textContent()).resolves.toBe('$15.75');
    await expect(page.getByTestId('topup-history').locator('tbody tr').allTextContents()).resolves.toEqual([expect.stringMatching(/Stripe payment\$13\.75$/)]);
    await cb.shot('account-topup-returned-light');
  });

  it('refuses an amount out of bounds with the reason, and speaks Chinese', async () => {
    const { page } = cb;
    await page.getByLabel('Amount (EUR)').fill('2000');
    await page.getByRole('button', { name: 'Continue to payment' }).click();
    await page.getByText('amount: must be between 5 and 1000 EUR').waitFor();
    expect(new URL(page.url()).origin).toBe(new URL(sys.url).origin);
    await page.getByText('中文').click();
    await page.getByRole('tab', { name: '充值', selected: true }).waitFor();
    await page.getByText('充值记录').waitFor();
    await page.getByText('Stripe 支付').waitFor();
    await cb.shot('account-topup-zh');
    await page.getByText('EN', { exact: true }).click();
    // the refused checkout is the only failed request
    expect(cb.pageErrors).toEqual([`400 ${sys.url}/api/me/topup/checkout`]);
  });
});
