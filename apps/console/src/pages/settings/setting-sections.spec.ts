import { ENV_NAMES, type EffectiveSetting } from '@switchboard/config';
import { groupSettings, sectionOf, unitHint, uptimeParts, uptimeUnit } from './setting-sections';

const row = (name: string, value: EffectiveSetting['value'], source: EffectiveSetting['source'] = 'default'): EffectiveSetting => ({
  name,
  value,
  source,
  secret: false,
});

describe('settings sections', () => {
  it('places every variable the gateway reads in a named section', () => {
    expect(ENV_NAMES.filter((n) => sectionOf(n) === 'other')).toEqual([]);
  });

  it('filters by name or value and by "changed from default", keeping section order', () => {
    const rows = [row('RETRY_BUDGET', 3), row('PORT', 3000, 'env'), row('BAN_ERROR_RATE', 0.5), row('REDIS_URL', 'redis://cache:6379', 'env')];
    expect(groupSettings(rows, '', false).map(([s, r]) => [s, r.map((x) => x.name)])).toEqual([
      ['server', ['PORT']],
      ['stores', ['REDIS_URL']],
      ['upstreams', ['RETRY_BUDGET']],
      ['health', ['BAN_ERROR_RATE']],
    ]);
    expect(groupSettings(rows, '', true).flatMap(([, r]) => r.map((x) => x.name))).toEqual(['PORT', 'REDIS_URL']);
    expect(groupSettings(rows, 'cache', false).flatMap(([, r]) => r.map((x) => x.name))).toEqual(['REDIS_URL']);
    expect(groupSettings(rows, 'ban_', false).flatMap(([, r]) => r.map((x) => x.name))).toEqual(['BAN_ERROR_RATE']);
    expect(groupSettings(rows, 'nothing-matches', false)).toEqual([]);
  });

  it('reads an uptime in days, hours and minutes', () => {
    expect(uptimeParts(93_784)).toEqual({ d: 1, h: 2, m: 3 });
    expect(uptimeParts(59)).toEqual({ d: 0, h: 0, m: 0 });
    expect(uptimeParts(-5)).toEqual({ d: 0, h: 0, m: 0 });
  });

  it('picks the uptime wording by size', () => {
    expect(uptimeUnit(uptimeParts(93_784))).toBe('days');
    expect(uptimeUnit(uptimeParts(3_700))).toBe('hours');
    expect(uptimeUnit(uptimeParts(30))).toBe('minutes');
  });

  it('reads byte and millisecond values in their unit', () => {
    expect(unitHint('MAX_BODY_BYTES', 10 * 1024 * 1024)).toBe('10 MiB');
    expect(unitHint('UPSTREAM_MAX_RESPONSE_BYTES', 64 * 1024 * 1024)).toBe('64 MiB');
    expect(unitHint('LEDGER_RECONCILE_INTERVAL_MS', 600_000)).toBe('10 min');
    expect(unitHint('HTTP_KEEP_ALIVE_TIMEOUT_MS', 72_000)).toBe('1.2 min');
    expect(unitHint('BAN_PROBE_INTERVAL_MS', 15_000)).toBe('15 s');
    expect(unitHint('X_MS', 7_200_000)).toBe('2 h');
    expect(unitHint('CHANNEL_CHECK_INTERVAL_MS', 0)).toBeUndefined();
    expect(unitHint('MAX_JSON_DEPTH', 128)).toBeUndefined();
    expect(unitHint('X_MS', 500)).toBeUndefined();
  });
});
