import OpenAI from 'openai';
import Stripe from 'stripe';
import { startMockUpstream, type MockUpstream } from '@switchboard/testing';
import { startHookReceiver, startSmtpReceiver, verifySignature } from '../../support/alert-receivers';
import { adminClient, eventually, startStandalone, type System } from '../../support/harness';

jest.setTimeout(120_000);

type Admin = ReturnType<typeof adminClient>;
interface ChannelView {
  id: number;
  name: string;
  type: string;
  target: string;
  events: string[];
  enabled: boolean;
  secret?: string;
  lastDeliveryAt: string | null;
  lastError: string | null;
}
interface Payload {
  id: string;
  event: string;
  subject: string;
  summary: string;
  details: Record<string, unknown>;
}

/** Alerts (SPEC §8) through the standalone: the admin API, and real balance, ban and error-rate alerts reaching a person. */
describe('alerts (standalone)', () => {
  let mock: MockUpstream;
  let smtp: Awaited<ReturnType<typeof startSmtpReceiver>>;
  let hooks: Awaited<ReturnType<typeof startHookReceiver>>;
  let sys: System;
  let admin: Admin;
  let secret: string;

  /** The webhook deliveries of one event at one path, signatures verified. */
  const delivered = (path: string, event: string) =>
    hooks.hooks
      .filter((h) => h.path === path && h.headers['switchboard-event'] === event)
      .map((h) => {
        expect(verifySignature(secret, h.headers['switchboard-signature'] as string, h.body)).toBe(true);
        return JSON.parse(h.body) as Payload;
      });

  beforeAll(async () => {
    [mock, smtp, hooks] = await Promise.all([startMockUpstream(), startSmtpReceiver(), startHookReceiver()]);
    sys = await startStandalone({
      SMTP_URL: smtp.url,
      ALERT_EMAIL_FROM: 'Switchboard <alerts@switchboard.test>',
      BALANCE_LOW_THRESHOLD_USD: '1',
      ALERT_DELIVERY_TIMEOUT_MS: '3000',
      ALERT_ERROR_RATE_CHECK_INTERVAL_MS: '300',
      ALERT_ERROR_RATE_MIN_REQUESTS: '2',
      BAN_MIN_REQUESTS: '2',
      RETRY_BUDGET: '0',
    });
    admin = adminClient(sys.url, sys.adminKey);
  });
  afterAll(async () => {
    await sys?.stop();
    await Promise.all([mock?.close(), smtp?.close(), hooks?.close()]);
  });

  it('creates channels (a webhook secret shown once, a Slack URL masked), refuses bad input with clear 400s and audits', async () => {
    const hook = await admin.post<ChannelView>('/api/alert-channels', {
      type: 'webhook',
      name: 'ops webhook',
      target: `${hooks.url}/hook`,
      events: ['balance_low', 'channel_down', 'channel_banned', 'error_rate'],
    });
    expect(hook.status).toBe(201);
    expect(hook.body).toMatchObject({ type: 'webhook', name: 'ops webhook', target: `${hooks.url}/hook`, enabled: true, lastDeliveryAt: null });
    expect(hook.body.secret).toMatch(/^whsec_/);
    secret = hook.body.secret!;

    const slack = await admin.post<ChannelView>('/api/alert-channels', {
      type: 'slack',
      target: `${hooks.url}/slack/T0/B0/secretpart`,
      events: ['error_rate'],
    });
    expect(slack.status).toBe(201);
    expect(slack.body.name).toBe(`slack ${hooks.url.replace('http://', '')}`);
    expect(slack.body.target).not.toContain('secretpart');
    expect(slack.body.secret).toBeUndefined();
    const mail = await admin.post<ChannelView>('/api/alert-channels', { type: 'email', target: 'ops@example.com', events: ['balance_low'] });
    expect(mail.status).toBe(201);
    expect(mail.body.name).toBe('email ops@example.com');

    const list = await admin.get<{ data: ChannelView[]; total: number }>('/api/alert-channels');
    expect(list.body.total).toBe(3);
    expect(JSON.stringify(list.body)).not.toContain(secret);
    expect(JSON.stringify(list.body)).not.toContain('secretpart');

    const bad = async (body: unknown, field: RegExp) => {
      const r = await admin.post<{ error: { message: string } }>('/api/alert-channels', body);
      expect({ status: r.status, message: r.body.error.message }).toEqual({ status: 400, message: expect.stringMatching(field) });
    };
    await bad({ type: 'pager', target: 'x', events: ['balance_low'] }, /type/);
    await bad({ type: 'webhook', target: 'not a url', events: ['balance_low'] }, /target: must be an http\(s\) URL/);
    await bad({ type: 'webhook', target: 'ftp://example.com/x', events: ['balance_low'] }, /target: must be an http\(s\) URL/);
    await bad({ type: 'email', target: 'ops@example.com, nope', events: ['balance_low'] }, /target: must be an email address/);
    await bad({ type: 'email', target: 'ops@example.com', events: [] }, /events: must name at least one event/);
    await bad({ type: 'email', target: 'ops@example.com', events: ['coffee_low'] }, /events/);
    await bad({ type: 'email', target: 'ops@example.com', events: ['balance_low'], extra: 1 }, /extra/);
    const badPatch = await admin.patch<{ error: { message: string } }>(`/api/alert-channels/${mail.body.id}`, { target: 'https://x.test' });
    expect(badPatch.status).toBe(400);
    expect(badPatch.body.error.message).toMatch(/target: must be an email address/);
    expect((await admin.patch('/api/alert-channels/999999', { enabled: false })).status).toBe(404);

    const patched = await admin.patch<ChannelView>(`/api/alert-channels/${slack.body.id}`, {
      target: slack.body.target,
      events: ['error_rate', 'channel_down'],
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ target: slack.body.target, events: ['error_rate', 'channel_down'] });
    // the masked URL sent back kept the real one: a test alert still reaches it
    const test = await admin.post<{ delivered: boolean; attempts: number; error: string | null }>(`/api/alert-channels/${slack.body.id}/test`, {});
    expect(test.body).toEqual({ delivered: true, attempts: 1, error: null });
    expect(hooks.hooks.some((h) => h.path === '/slack/T0/B0/secretpart' && (JSON.parse(h.body) as { text: string }).text.includes('Test alert'))).toBe(true);
    const listed = await admin.get<{ data: ChannelView[] }>('/api/alert-channels');
    expect(listed.body.data.find((c) => c.id === slack.body.id)!.lastDeliveryAt).not.toBeNull();

    const audit = await admin.get<{ data: { action: string; entityId: string }[] }>('/api/audit?entity=alert_channel');
    expect(audit.body.data.map((a) => a.action).sort()).toEqual(['create', 'create', 'create', 'update']);
    expect(JSON.stringify(audit.body)).not.toContain(secret);
    expect(JSON.stringify(audit.body)).not.toContain('secretpart');

    expect((await admin.del(`/api/alert-channels/${slack.body.id}`)).body).toEqual({ deleted: true });
    expect((await admin.get<{ total: number }>('/api/alert-channels')).body.total).toBe(2);
  });

  it('a balance falling below the threshold through relayed requests reaches the webhook and the mailbox once', async () => {
    expect((await admin.post('/api/channels', { name: 'mock', type: 'openai', baseUrl: mock.url, keys: ['sk-up'], models: ['sb-alert'] })).status).toBe(201);
    expect((await admin.put('/api/prices/sb-alert', { input: 0, output: 0, perRequest: 0.2 })).status).toBe(200);
    const user = await admin.post<{ id: number }>('/api/users', { name: 'spender', balance: 1.5 });
    const key = (await admin.post<{ key: string }>('/api/tokens', { name: 'spender-key', userId: user.body.id })).body.key;
    const openai = new OpenAI({ apiKey: key, baseURL: `${sys.url}/v1`, maxRetries: 0 });
    for (let i = 0; i < 5; i++) await openai.chat.completions.create({ model: 'sb-alert', messages: [{ role: 'user', content: `hello ${i}` }] });

    const [alert] = await eventually(
      async () => delivered('/hook', 'balance_low').length > 0 && delivered('/hook', 'balance_low'),
      20_000,
      'the balance_low webhook',
    );
    expect(alert).toMatchObject({ event: 'balance_low', subject: `user:${user.body.id}`, details: { userId: user.body.id, thresholdUsd: 1 } });
    // billing debits a batch at once: the balance the crossing batch left, 1.5 − 0.2 × (3 to 5 requests)
    expect([0.9, 0.7, 0.5].some((b) => Math.abs((alert.details.balanceUsd as number) - b) < 1e-9)).toBe(true);
    const mail = await eventually(async () => smtp.mails.find((m) => m.raw.includes(`User ${user.body.id}: balance`)), 20_000, 'the balance_low mail');
    expect(mail).toMatchObject({ from: 'alerts@switchboard.test', to: ['ops@example.com'], user: 'alerts' });
    expect(mail.raw).toMatch(/^Subject: \[Switchboard\] User \d+: balance \$0\.[579]0 fell below \$1\.00/m);
    // later debits stay below the threshold: no second crossing, no second alert
    expect(delivered('/hook', 'balance_low')).toHaveLength(1);
  });

  it('a channel whose every key the upstream refuses is channel_down; a failing channel is banned and over the error rate', async () => {
    mock.setFault({ match: { key: 'sk-dead-1' }, status: 401 });
    mock.setFault({ match: { key: 'sk-dead-2' }, status: 401 });
    mock.setFault({ match: { model: 'sb-flaky' }, status: 500 });
    const down = await admin.post<{ id: number }>('/api/channels', {
      name: 'dead-keys',
      type: 'openai',
      baseUrl: mock.url,
      keys: ['sk-dead-1', 'sk-dead-2'],
      models: ['sb-down'],
    });
    const flaky = await admin.post<{ id: number }>('/api/channels', {
      name: 'flaky',
      type: 'openai',
      baseUrl: mock.url,
      keys: ['sk-flaky'],
      models: ['sb-flaky'],
    });
    for (const m of ['sb-down', 'sb-flaky']) expect((await admin.put(`/api/prices/${m}`, { input: 0, output: 0, perRequest: 0 })).status).toBe(200);
    const user = await admin.post<{ id: number }>('/api/users', { name: 'caller', balance: 100 });
    const key = (await admin.post<{ key: string }>('/api/tokens', { name: 'caller-key', userId: user.body.id })).body.key;
    const openai = new OpenAI({ apiKey: key, baseURL: `${sys.url}/v1`, maxRetries: 0 });
    const call = (model: string) => openai.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    await call('sb-down');
    await call('sb-down');
    for (let i = 0; i < 3; i++) await call('sb-flaky');

    const [channelDown] = await eventually(
      async () => delivered('/hook', 'channel_down').length > 0 && delivered('/hook', 'channel_down'),
      20_000,
      'channel_down',
    );
    expect(channelDown).toMatchObject({ subject: `channel:${down.body.id}`, details: { channelId: down.body.id, channelName: 'dead-keys' } });
    // the refused keys also count as errors of the dead channel: each channel is banned on its own
    const banned = await eventually(
      async () => delivered('/hook', 'channel_banned').find((p) => p.subject === `channel:${flaky.body.id}`),
      20_000,
      'channel_banned',
    );
    expect(banned).toMatchObject({ subject: `channel:${flaky.body.id}`, details: { channelName: 'flaky', model: 'sb-flaky', reason: 'error_rate' } });
    const rates = await eventually(
      async () => delivered('/hook', 'error_rate').find((p) => p.subject === `channel:${flaky.body.id}`) && delivered('/hook', 'error_rate'),
      20_000,
      'error_rate',
    );
    // the periodic check runs every 300 ms: the dedup window keeps it to one alert per subject
    const dedup = /switchboard_alerts_sent_total\{type="webhook",event="error_rate",outcome="deduplicated"\} [1-9]/;
    const metrics = await eventually(
      async () => {
        const text = await (await fetch(`${sys.url}/metrics`)).text();
        return dedup.test(text) && text;
      },
      10_000,
      'a deduplicated error_rate',
    );
    expect(delivered('/hook', 'error_rate').filter((p) => p.subject === `channel:${flaky.body.id}`)).toHaveLength(1);
    expect(rates[0].details).toMatchObject({ errors: expect.any(Number), requests: expect.any(Number) });

    expect(metrics).toMatch(/switchboard_alerts_sent_total\{type="webhook",event="balance_low",outcome="sent"\} 1/);
    expect(metrics).toMatch(/switchboard_alerts_sent_total\{type="email",event="balance_low",outcome="sent"\} 1/);
  });

  it('rotates a webhook secret: the new one answered once, deliveries signed with both during the grace period, audited', async () => {
    const created = await admin.post<ChannelView>('/api/alert-channels', { type: 'webhook', target: `${hooks.url}/rotating`, events: ['balance_low'] });
    const old = created.body.secret!;
    const rotated = await admin.post<ChannelView & { previousSecretUntil: string | null }>(`/api/alert-channels/${created.body.id}/rotate-secret`, {});
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(old);
    const until = Date.parse(rotated.body.previousSecretUntil!);
    expect(until - Date.now()).toBeGreaterThan(23.9 * 3_600_000);
    expect(until - Date.now()).toBeLessThanOrEqual(24 * 3_600_000);
    const listed = await admin.get<{ data: (ChannelView & { previousSecretUntil: string | null })[] }>('/api/alert-channels');
    const row = listed.body.data.find((c) => c.id === created.body.id)!;
    expect(row.secret).toBeUndefined();
    expect(row.previousSecretUntil).toBe(rotated.body.previousSecretUntil);

    // Stripe's own verifier accepts the delivery with either secret: a receiver switches when it likes.
    const stripe = new Stripe('sk_test_unused');
    const verifies = (secret: string, h: { headers: Record<string, unknown>; body: string }) => {
      try {
        stripe.webhooks.signature!.verifyHeader(h.body, h.headers['switchboard-signature'] as string, secret);
        return true;
      } catch {
        return false;
      }
    };
    const lastHook = () => hooks.hooks.filter((h) => h.path === '/rotating').at(-1)!;
    expect((await admin.post(`/api/alert-channels/${created.body.id}/test`, {})).body).toMatchObject({ delivered: true });
    const during = lastHook();
    expect((during.headers['switchboard-signature'] as string).match(/v1=/g)).toHaveLength(2);
    expect([verifies(rotated.body.secret!, during), verifies(old, during), verifies('whsec_nope', during)]).toEqual([true, true, false]);
    expect(verifySignature(old, during.headers['switchboard-signature'] as string, during.body)).toBe(true);

    // graceHours 0: the replaced secret stops signing at once.
    const again = await admin.post<ChannelView & { previousSecretUntil: string | null }>(`/api/alert-channels/${created.body.id}/rotate-secret`, {
      graceHours: 0,
    });
    expect(again.body.previousSecretUntil).toBeNull();
    await admin.post(`/api/alert-channels/${created.body.id}/test`, {});
    const after = lastHook();
    expect((after.headers['switchboard-signature'] as string).match(/v1=/g)).toHaveLength(1);
    expect([verifies(again.body.secret!, after), verifies(rotated.body.secret!, after), verifies(old, after)]).toEqual([true, false, false]);

    const bad = await admin.post<{ error: { message: string } }>(`/api/alert-channels/${created.body.id}/rotate-secret`, { graceHours: 1000 });
    expect(bad.status).toBe(400);
    const mail = await admin.post<ChannelView>('/api/alert-channels', { type: 'email', target: 'ops@example.com', events: ['balance_low'] });
    expect((await admin.post(`/api/alert-channels/${mail.body.id}/rotate-secret`, {})).status).toBe(400);
    expect((await admin.post('/api/alert-channels/999999/rotate-secret', {})).status).toBe(404);

    const audit = await admin.get<{ data: { action: string; after: Record<string, unknown> }[] }>(
      `/api/audit?entity=alert_channel&entityId=${created.body.id}`,
    );
    expect(audit.body.data.filter((a) => a.after?.secretRotated === true).map((a) => a.after.graceHours)).toEqual([0, 24]);
    for (const secret of [old, rotated.body.secret!, again.body.secret!]) expect(JSON.stringify(audit.body)).not.toContain(secret);
    await admin.del(`/api/alert-channels/${created.body.id}`);
    await admin.del(`/api/alert-channels/${mail.body.id}`);
  });
});
