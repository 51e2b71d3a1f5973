import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SecretBox } from '@switchboard/common';
import Stripe from 'stripe';
import { AlertChannelService } from './alert-channel.service';
import type { AlertDispatcher } from './alert-dispatcher.service';
import { AlertSenders } from './alert-senders';
import { MemoryAlertChannels } from './memory-alert-channels.fixture';
import { newWebhookSecret, signWebhook, verifyWebhook } from './webhook-signature';

// Stripe's own verifier: receivers that already check Stripe webhooks can check Switchboard's with the same code.
const stripe = new Stripe('sk_test_unused');
const stripeAccepts = (secret: string, body: string, header: string) => {
  try {
    stripe.webhooks.signature!.verifyHeader(body, header, secret, 1e10);
    return true;
  } catch {
    return false;
  }
};

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

  it('during a rotation carries one v1 per secret (new first): either secret verifies, here and with Stripe’s verifier', () => {
    const [fresh, old] = [newWebhookSecret(), newWebhookSecret()];
    const body = JSON.stringify({ event: 'channel_down' });
    const header = signWebhook(fresh, body, 1_700_000_000, old);
    expect(header).toMatch(/^t=1700000000,v1=[0-9a-f]{64},v1=[0-9a-f]{64}$/);
    expect(header.split(',')[1]).toBe(signWebhook(fresh, body, 1_700_000_000).split(',')[1]);
    for (const secret of [fresh, old]) {
      expect(verifyWebhook(secret, body, header, 1_700_000_000)).toBe(true);
      expect(stripeAccepts(secret, body, header)).toBe(true);
    }
    expect(verifyWebhook('whsec_third', body, header, 1_700_000_000)).toBe(false);
    expect(stripeAccepts('whsec_third', body, header)).toBe(false);
  });
});

describe('secret rotation', () => {
  const box = new SecretBox('cd'.repeat(32));
  let now: number;
  let repo: MemoryAlertChannels;
  let service: AlertChannelService;
  const received: { header: string; body: string }[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ header: String(req.headers['switchboard-signature']), body: Buffer.concat(chunks).toString('utf8') });
      res.end('ok');
    });
  });
  let url: string;

  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  beforeEach(() => {
    now = Date.UTC(2026, 0, 1);
    repo = new MemoryAlertChannels();
    service = new AlertChannelService(repo, box, {} as AlertDispatcher, () => now);
    received.length = 0;
  });

  /** Delivers one alert with the channel as stored now, the way the dispatcher opens it. */
  const deliver = async (id: number) => {
    const row = (await repo.find(id))!;
    const senders = new AlertSenders({ from: 'x@y', timeoutMs: 2000 }, () => now);
    await senders.send(
      {
        id,
        name: row.name,
        type: 'webhook',
        target: row.target,
        secret: box.decrypt(row.secret!),
        previousSecret: row.previousSecret ? box.decrypt(row.previousSecret) : null,
        previousSecretUntil: row.previousSecretUntil,
      },
      { id: 'alrt_1', event: 'balance_low', subject: 's', severity: 'info', summary: 'x', details: {}, occurredAt: new Date(now).toISOString() },
    );
    return received.at(-1)!;
  };

  it('answers the new secret once; both secrets sign for the grace period, then only the new one', async () => {
    const created = await service.create({ type: 'webhook', target: url, events: ['balance_low'], enabled: true }, 'admin');
    const rotated = await service.rotateSecret(String(created.id), { graceHours: 24 }, 'admin');
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(created.secret);
    expect(rotated.previousSecretUntil).toBe(new Date(now + 24 * 3_600_000).toISOString());
    expect((await service.list()).data[0]).not.toHaveProperty('secret');

    now += 23 * 3_600_000;
    const during = await deliver(created.id);
    expect(during.header.match(/v1=/g)).toHaveLength(2);
    expect(stripeAccepts(created.secret!, during.body, during.header)).toBe(true);
    expect(stripeAccepts(rotated.secret!, during.body, during.header)).toBe(true);

    now += 2 * 3_600_000;
    const after = await deliver(created.id);
    expect(after.header.match(/v1=/g)).toHaveLength(1);
    expect(stripeAccepts(rotated.secret!, after.body, after.header)).toBe(true);
    expect(stripeAccepts(created.secret!, after.body, after.header)).toBe(false);
    expect((await service.list()).data[0].previousSecretUntil).toBeNull();
  });

  it('with no grace the old secret stops at once; a second rotation keeps only the one it replaced; other channel types have no secret', async () => {
    const created = await service.create({ type: 'webhook', target: url, events: ['balance_low'], enabled: true }, 'admin');
    const now0 = await service.rotateSecret(String(created.id), { graceHours: 0 }, 'admin');
    expect(now0.previousSecretUntil).toBeNull();
    const only = await deliver(created.id);
    expect([stripeAccepts(now0.secret!, only.body, only.header), stripeAccepts(created.secret!, only.body, only.header)]).toEqual([true, false]);

    const second = await service.rotateSecret(String(created.id), { graceHours: 1 }, 'admin');
    const third = await service.rotateSecret(String(created.id), { graceHours: 1 }, 'admin');
    const both = await deliver(created.id);
    expect([second, now0].map((s) => stripeAccepts(s.secret!, both.body, both.header))).toEqual([true, false]);
    expect(stripeAccepts(third.secret!, both.body, both.header)).toBe(true);

    const mail = await service.create({ type: 'email', target: 'ops@example.com', events: ['balance_low'], enabled: true }, 'admin');
    await expect(service.rotateSecret(String(mail.id), { graceHours: 24 }, 'admin')).rejects.toMatchObject({
      status: 400,
      message: 'a email channel has no signing secret: only webhook channels are signed',
    });
    await expect(service.rotateSecret('999', { graceHours: 24 }, 'admin')).rejects.toMatchObject({ status: 404 });
  });
});
