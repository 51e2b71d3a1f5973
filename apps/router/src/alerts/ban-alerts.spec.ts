import type { AlertEventInput } from '@switchboard/contracts';
import type { Ban } from '@switchboard/health';
import { BanAlerts, type BannedChannel } from './ban-alerts';
import { ErrorRateMonitor } from './error-rate.monitor';

const NOW = 1_700_000_000_000;
const channels: Record<number, BannedChannel> = {
  1: { id: 1, name: 'openai-main', enabled: true, keys: [{ position: 0, status: 'enabled' }] },
  2: {
    id: 2,
    name: 'pool',
    enabled: true,
    keys: [
      { position: 0, status: 'enabled' },
      { position: 1, status: 'enabled' },
      { position: 2, status: 'disabled' },
    ],
  },
};
const ban = (b: Partial<Ban> & { channelId: number }): Ban => ({ reason: 'auth', until: NOW + 60_000, nextProbeAt: NOW, ...b });

describe('BanAlerts', () => {
  let raised: AlertEventInput[];
  let stored: Ban[];
  let alerts: BanAlerts;
  beforeEach(() => {
    raised = [];
    stored = [];
    alerts = new BanAlerts(
      async (id) => channels[id] ?? null,
      { bans: async () => stored },
      (e) => raised.push(e),
    );
  });

  it('a banned (channel, model) pair is channel_banned; a back-off alerts nobody', async () => {
    await alerts.onBans(
      { set: [ban({ channelId: 1, model: 'gpt-4o', reason: 'error_rate' }), ban({ channelId: 1, model: 'x', reason: 'backoff' })], lifted: [] },
      NOW,
    );
    expect(raised).toEqual([
      expect.objectContaining({
        event: 'channel_banned',
        subject: 'channel:1',
        details: expect.objectContaining({ channelId: 1, channelName: 'openai-main', model: 'gpt-4o', reason: 'error_rate' }),
      }),
    ]);
  });

  it('a key ban is channel_down only once no enabled key of the channel is left unbanned', async () => {
    stored = [ban({ channelId: 2, keyIndex: 0 })];
    await alerts.onBans({ set: [stored[0]], lifted: [] }, NOW);
    expect(raised).toEqual([]);
    stored.push(ban({ channelId: 2, keyIndex: 1, detail: 'HTTP 401' }));
    await alerts.onBans({ set: [stored[1]], lifted: [] }, NOW);
    expect(raised).toEqual([
      expect.objectContaining({ event: 'channel_down', subject: 'channel:2', severity: 'critical', details: expect.objectContaining({ reason: 'HTTP 401' }) }),
    ]);
  });
});

describe('ErrorRateMonitor', () => {
  it('raises error_rate for each channel over the threshold with enough attempts, and for all channels together', async () => {
    const raised: AlertEventInput[] = [];
    const windows: Record<number, { requests: number; errors: number }> = {
      1: { requests: 20, errors: 12 },
      2: { requests: 4, errors: 4 },
      3: { requests: 30, errors: 3 },
    };
    const m = new ErrorRateMonitor(
      async () => [1, 2, 3].map((id) => ({ id, name: `c${id}` })),
      { channelWindow: async (id) => windows[id] },
      { errorRateThreshold: 0.4, errorRateMinRequests: 10, errorRateWindowMs: 60_000 },
      (e) => raised.push(e),
    );
    await m.check(NOW);
    expect(raised.map((e) => [e.subject, e.details?.errors, e.details?.requests])).toEqual([['channel:1', 12, 20]]);
    windows[3].errors = 15;
    raised.length = 0;
    await m.check(NOW);
    // 31 of 54 together: the gateway as a whole is over 40 % (19 of 54 before was not)
    expect(raised.map((e) => [e.subject, e.details?.errors, e.details?.requests])).toEqual([
      ['channel:1', 12, 20],
      ['channel:3', 15, 30],
      ['gateway', 31, 54],
    ]);
  });
});
