// The alert gate two router replicas share through a real Redis: an event about a subject passes once across both,
// and a channel's hourly allowance is one allowance (a controlled clock moves the hour on).
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { RedisAlertGate } from '../../../apps/router/src/alerts/redis-alert-gate';
import { INFRA, requireInfra } from '../../support/infra';

describe('RedisAlertGate (real Redis, two replicas)', () => {
  let a: RedisAlertGate;
  let b: RedisAlertGate;
  let now = 1_000_000;
  let run = true;
  const prefix = `sbtest-${randomUUID()}`;

  beforeAll(async () => {
    run = await requireInfra('redis');
    if (!run) return;
    const options = { dedupWindowMs: 60_000, perChannelPerHour: 3 };
    a = new RedisAlertGate(new Redis(INFRA.redis.url), options, () => now, prefix);
    b = new RedisAlertGate(new Redis(INFRA.redis.url), options, () => now, prefix);
  });
  afterAll(async () => {
    if (!run) return;
    const r = new Redis(INFRA.redis.url);
    const keys = await r.keys(`${prefix}:*`);
    if (keys.length) await r.del(...keys);
    r.disconnect();
    await a.close();
    await b.close();
  });

  it('deduplicates across replicas within the window', async () => {
    if (!run) return;
    expect(await a.fresh('error_rate', 'channel:1')).toBe(true);
    expect(await b.fresh('error_rate', 'channel:1')).toBe(false);
    expect(await b.fresh('error_rate', 'channel:2')).toBe(true);
    expect(await a.fresh('channel_down', 'channel:1')).toBe(true);
  });

  it('shares one rolling hourly allowance per channel', async () => {
    if (!run) return;
    expect([await a.allow(7), await b.allow(7), await a.allow(7), await b.allow(7)]).toEqual([true, true, true, false]);
    expect(await a.allow(8)).toBe(true);
    now += 3_600_001;
    expect([await b.allow(7), await a.allow(7), await b.allow(7), await a.allow(7)]).toEqual([true, true, true, false]);
  });
});
