import { SecretBox } from '@switchboard/common';
import type { AlertEventInput } from '@switchboard/contracts';
import { processMetrics } from '@switchboard/observability';
import { AlertDispatcher } from './alert-dispatcher.service';
import { MemoryAlertGate } from './alert-gate';
import { DeliveryError } from './alert-retry';
import type { AlertPayload, AlertSenders, OpenAlertChannel } from './alert-senders';
import type { AlertSettings } from './alert-settings';
import { MemoryAlertChannels } from './memory-alert-channels.fixture';

const settings: AlertSettings = {
  emailFrom: 'x@y',
  dedupWindowMs: 600_000,
  perChannelPerHour: 2,
  timeoutMs: 1000,
  retries: 2,
  retryBaseMs: 10,
  errorRateThreshold: 0.5,
  errorRateMinRequests: 10,
  errorRateCheckIntervalMs: 0,
  errorRateWindowMs: 60_000,
};

const alert = (subject: string, event: AlertEventInput['event'] = 'balance_low'): AlertEventInput => ({
  event,
  subject,
  severity: 'warning',
  summary: `about ${subject}`,
  occurredAt: new Date(0).toISOString(),
});

const count = async (labels: Record<string, string>) => {
  const m = await processMetrics().alertsSent.get();
  return m.values.filter((v) => Object.entries(labels).every(([k, x]) => v.labels[k as 'type'] === x)).reduce((s, v) => s + v.value, 0);
};

describe('AlertDispatcher', () => {
  let now: number;
  const gate = (s: AlertSettings) => new MemoryAlertGate(s, () => now);
  let repo: MemoryAlertChannels;
  let sent: { channel: OpenAlertChannel; payload: AlertPayload }[];
  let failures: number;
  let dispatcher: AlertDispatcher;
  let senders: AlertSenders;
  const box = new SecretBox('ab'.repeat(32));

  beforeEach(() => {
    now = 1_000_000;
    repo = new MemoryAlertChannels();
    sent = [];
    failures = 0;
    senders = {
      send: async (channel: OpenAlertChannel, payload: AlertPayload) => {
        if (failures-- > 0) throw new DeliveryError('503', true);
        sent.push({ channel, payload });
      },
      close: () => undefined,
    } as unknown as AlertSenders;
    dispatcher = new AlertDispatcher(repo, settings, box, senders, gate(settings), async () => undefined);
  });

  it('delivers to the enabled channels subscribed to the event, with the secrets open', async () => {
    repo.add({ type: 'webhook', target: 'http://a', events: ['balance_low'], secret: box.encrypt('whsec_1') });
    repo.add({ type: 'slack', target: box.encrypt('https://hooks.slack.test/x'), events: ['balance_low', 'channel_down'] });
    repo.add({ type: 'email', target: 'ops@example.com', events: ['channel_down'] });
    repo.add({ type: 'email', target: 'off@example.com', events: ['balance_low'], enabled: false });
    dispatcher.raise(alert('user:1'));
    await dispatcher.settled();
    expect(sent.map((s) => [s.channel.type, s.channel.target, s.channel.secret])).toEqual([
      ['webhook', 'http://a', 'whsec_1'],
      ['slack', 'https://hooks.slack.test/x', null],
    ]);
    expect(sent[0].payload).toMatchObject({ id: expect.stringMatching(/^alrt_/), event: 'balance_low', subject: 'user:1', details: {} });
  });

  it('deduplicates an event about a subject within the window (controlled clock) and counts it', async () => {
    dispatcher = new AlertDispatcher(repo, settings, box, senders, gate({ ...settings, perChannelPerHour: 100 }), async () => undefined);
    repo.add({ type: 'webhook', target: 'http://dedup', events: ['channel_banned'] });
    const before = await count({ type: 'webhook', event: 'channel_banned', outcome: 'deduplicated' });
    dispatcher.raise(alert('channel:1', 'channel_banned'));
    dispatcher.raise(alert('channel:1', 'channel_banned'));
    await dispatcher.settled();
    dispatcher.raise(alert('channel:2', 'channel_banned'));
    now += 599_999;
    dispatcher.raise(alert('channel:1', 'channel_banned'));
    await dispatcher.settled();
    expect(sent.map((s) => s.payload.subject)).toEqual(['channel:1', 'channel:2']);
    now += 1;
    dispatcher.raise(alert('channel:1', 'channel_banned'));
    await dispatcher.settled();
    expect(sent.map((s) => s.payload.subject)).toEqual(['channel:1', 'channel:2', 'channel:1']);
    expect((await count({ type: 'webhook', event: 'channel_banned', outcome: 'deduplicated' })) - before).toBe(2);
  });

  it('rate-limits each channel per rolling hour', async () => {
    repo.add({ type: 'slack', target: box.encrypt('https://hooks.slack.test/rl'), events: ['error_rate'] });
    const before = await count({ type: 'slack', event: 'error_rate', outcome: 'rate_limited' });
    for (const s of ['channel:1', 'channel:2', 'channel:3']) dispatcher.raise(alert(s, 'error_rate'));
    await dispatcher.settled();
    expect(sent).toHaveLength(2);
    now += 3_600_000;
    dispatcher.raise(alert('channel:4', 'error_rate'));
    await dispatcher.settled();
    expect(sent.map((s) => s.payload.subject)).toEqual(['channel:1', 'channel:2', 'channel:4']);
    expect((await count({ type: 'slack', event: 'error_rate', outcome: 'rate_limited' })) - before).toBe(1);
  });

  it('retries a transient failure, records the outcome on the channel and drops an invalid event', async () => {
    const c = repo.add({ type: 'webhook', target: 'http://retry', events: ['channel_down'] });
    failures = 2;
    dispatcher.raise(alert('channel:9', 'channel_down'));
    dispatcher.raise({ event: 'nope', subject: 'x' });
    await dispatcher.settled();
    expect(sent).toHaveLength(1);
    expect(repo.deliveries).toEqual([{ id: c.id, error: null }]);
    failures = 5;
    dispatcher.raise(alert('channel:10', 'channel_down'));
    await dispatcher.settled();
    expect(repo.deliveries[1]).toEqual({ id: c.id, error: '503' });
  });
});
