// Alert delivery over real sockets: an SMTP server (smtp-server) that requires the login in SMTP_URL, a webhook
// receiver that verifies the signature as README "Alerts" says, and a Slack-style incoming webhook.
import http from 'node:http';
import type net from 'node:net';
import { SecretBox } from '@switchboard/common';
import { processMetrics } from '@switchboard/observability';
import { AlertDispatcher } from '../../../apps/router/src/alerts/alert-dispatcher.service';
import { MemoryAlertGate } from '../../../apps/router/src/alerts/alert-gate';
import { AlertSenders } from '../../../apps/router/src/alerts/alert-senders';
import type { AlertSettings } from '../../../apps/router/src/alerts/alert-settings';
import { MemoryAlertChannels } from '../../../apps/router/src/alerts/memory-alert-channels.fixture';
import { startHookReceiver, startSmtpReceiver, verifySignature } from '../../support/alert-receivers';

jest.setTimeout(30_000);

const box = new SecretBox('cd'.repeat(32));
const settings = (smtpUrl: string): AlertSettings => ({
  smtpUrl,
  emailFrom: 'Switchboard Alerts <alerts@switchboard.test>',
  dedupWindowMs: 600_000,
  perChannelPerHour: 30,
  timeoutMs: 500,
  retries: 2,
  retryBaseMs: 20,
  errorRateThreshold: 0.5,
  errorRateMinRequests: 10,
  errorRateCheckIntervalMs: 0,
  errorRateWindowMs: 60_000,
});
const balanceLow = {
  event: 'balance_low' as const,
  subject: 'user:7',
  severity: 'warning' as const,
  summary: 'User 7: balance $0.40 fell below $1.00',
  details: { userId: 7, balanceUsd: 0.4, thresholdUsd: 1, requestId: 'req-1' },
  occurredAt: '2026-12-06T21:00:00.000Z',
};

describe('alert delivery (webhook, Slack, SMTP)', () => {
  let smtp: Awaited<ReturnType<typeof startSmtpReceiver>>;
  let hooks: Awaited<ReturnType<typeof startHookReceiver>>;
  let repo: MemoryAlertChannels;
  let dispatcher: AlertDispatcher;
  let senders: AlertSenders;

  beforeAll(async () => {
    smtp = await startSmtpReceiver();
    hooks = await startHookReceiver();
  });
  afterAll(async () => {
    senders?.close();
    await smtp.close();
    await hooks.close();
  });
  beforeEach(() => {
    repo = new MemoryAlertChannels();
    const s = settings(smtp.url);
    senders = new AlertSenders({ smtpUrl: s.smtpUrl, from: s.emailFrom, timeoutMs: s.timeoutMs });
    dispatcher = new AlertDispatcher(repo, s, box, senders, new MemoryAlertGate(s));
  });

  it('signs the webhook, posts Slack blocks and mails the recipients with the SMTP_URL login', async () => {
    const secret = 'whsec_test_secret';
    repo.add({ type: 'webhook', target: `${hooks.url}/hook`, events: ['balance_low'], secret: box.encrypt(secret) });
    repo.add({ type: 'slack', target: box.encrypt(`${hooks.url}/slack/T000/B000`), events: ['balance_low'] });
    repo.add({ type: 'email', target: 'ops@example.com, oncall@example.com', events: ['balance_low'] });
    dispatcher.raise(balanceLow);
    await dispatcher.settled();

    const hook = hooks.hooks.find((h) => h.path === '/hook')!;
    expect(verifySignature(secret, hook.headers['switchboard-signature'] as string, hook.body)).toBe(true);
    expect(verifySignature('whsec_wrong', hook.headers['switchboard-signature'] as string, hook.body)).toBe(false);
    expect(hook.headers['switchboard-event']).toBe('balance_low');
    expect(JSON.parse(hook.body)).toEqual({ id: hook.headers['switchboard-delivery'], ...balanceLow });

    const slack = JSON.parse(hooks.hooks.find((h) => h.path.startsWith('/slack'))!.body) as { text: string; blocks: { type: string }[] };
    expect(slack.text).toContain('User 7: balance $0.40 fell below $1.00');
    expect(slack.blocks.map((b) => b.type)).toEqual(['section', 'section', 'context']);
    expect(JSON.stringify(slack.blocks)).toContain('balance_low');

    expect(smtp.mails).toHaveLength(1);
    const mail = smtp.mails[0];
    expect(mail).toMatchObject({ from: 'alerts@switchboard.test', to: ['ops@example.com', 'oncall@example.com'], user: 'alerts' });
    expect(mail.raw).toMatch(/^Subject: \[Switchboard\] User 7: balance \$0\.40 fell below \$1\.00/m);
    expect(mail.raw).toContain('userId: 7');
    expect(repo.deliveries.map((d) => d.error)).toEqual([null, null, null]);
  });

  it('retries a receiver answering 503, gives up on 404 and on one that never answers (delivery timeout)', async () => {
    const silent = http.createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      hooks.fail('/flaky', 2);
      repo.add({ type: 'webhook', target: `${hooks.url}/flaky`, events: ['channel_down'], secret: box.encrypt('whsec_x') });
      repo.add({ type: 'slack', target: box.encrypt(`http://127.0.0.1:${(silent.address() as net.AddressInfo).port}/slack`), events: ['channel_down'] });
      const before = (await processMetrics().alertsSent.get()).values.filter((v) => v.labels.event === 'channel_down');
      expect(before).toEqual([]);
      const started = Date.now();
      dispatcher.raise({ ...balanceLow, event: 'channel_down', subject: 'channel:3', summary: 'Channel "x" is down' });
      await dispatcher.settled();
      expect(hooks.hooks.filter((h) => h.path === '/flaky')).toHaveLength(1);
      expect(repo.deliveries).toEqual([
        { id: 1, error: null },
        { id: 2, error: 'no answer within 500 ms' },
      ]);
      // three attempts of 500 ms at most, with short backoffs between
      expect(Date.now() - started).toBeLessThan(5_000);
      const after = (await processMetrics().alertsSent.get()).values.filter((v) => v.labels.event === 'channel_down');
      expect(after.map((v) => [v.labels.type, v.labels.outcome, v.value]).sort()).toEqual([
        ['slack', 'failed', 1],
        ['webhook', 'sent', 1],
      ]);

      const gone = repo.add({ type: 'webhook', target: `${hooks.url}/missing-404`, events: ['error_rate'] });
      const r = await dispatcher.deliver(gone, { id: 'alrt_x', ...balanceLow, event: 'error_rate' });
      expect(r).toEqual({ delivered: false, attempts: 1, error: 'webhook answered HTTP 404' });
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });

  it('fails an email channel at once when SMTP refuses the login', async () => {
    const bad = new AlertSenders({ smtpUrl: smtp.url.replace('smtp-pass', 'wrong'), from: 'a@b.test', timeoutMs: 2000 });
    const d = new AlertDispatcher(repo, settings(smtp.url), box, bad, new MemoryAlertGate(settings(smtp.url)));
    const row = repo.add({ type: 'email', target: 'ops@example.com', events: ['balance_low'] });
    const r = await d.deliver(row, { id: 'alrt_y', ...balanceLow });
    bad.close();
    expect(r.delivered).toBe(false);
    expect(r.attempts).toBe(1);
    expect(r.error).toMatch(/^smtp: Invalid login: 535/);
  });
});
