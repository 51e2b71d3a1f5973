import { createHmac } from 'node:crypto';
import { newWebhookSecret, signWebhook, verifyWebhook } from './webhook-signature';

describe('webhook signature', () => {
  it('is HMAC-SHA256 over "<timestamp>.<body>" with the channel secret, verified within the tolerance only', () => {
    const secret = newWebhookSecret();
    expect(secret).toMatch(/^whsec_[\w-]{32}$/);
    const body = JSON.stringify({ event: 'balance_low' });
    const header = signWebhook(secret, body, 1_700_000_000);
    expect(header).toBe(`t=1700000000,v1=${createHmac('sha256', secret).update(`1700000000.${body}`).digest('hex')}`);
    expect(verifyWebhook(secret, body, header, 1_700_000_100)).toBe(true);
    expect(verifyWebhook(secret, `${body} `, header, 1_700_000_100)).toBe(false);
    expect(verifyWebhook('whsec_other', body, header, 1_700_000_100)).toBe(false);
    expect(verifyWebhook(secret, body, header, 1_700_000_301)).toBe(false);
    expect(verifyWebhook(secret, body, 'garbage', 1_700_000_000)).toBe(false);
  });
});
