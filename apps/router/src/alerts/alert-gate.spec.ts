import { MemoryAlertGate } from './alert-gate';

describe('MemoryAlertGate', () => {
  let now = 0;
  const clock = () => now;
  beforeEach(() => (now = 1_000_000));

  it('passes an event about a subject once per dedup window, other subjects and events independently', () => {
    const gate = new MemoryAlertGate({ dedupWindowMs: 60_000, perChannelPerHour: 100 }, clock);
    expect(gate.freshNow('balance_low', 'user:1')).toBe(true);
    expect(gate.freshNow('balance_low', 'user:1')).toBe(false);
    expect(gate.freshNow('balance_low', 'user:2')).toBe(true);
    expect(gate.freshNow('channel_banned', 'user:1')).toBe(true);
    now += 59_999;
    expect(gate.freshNow('balance_low', 'user:1')).toBe(false);
    now += 1;
    expect(gate.freshNow('balance_low', 'user:1')).toBe(true);
    expect(gate.freshNow('balance_low', 'user:1')).toBe(false);
  });

  it('passes every event with a zero window', () => {
    const gate = new MemoryAlertGate({ dedupWindowMs: 0, perChannelPerHour: 100 }, clock);
    expect(gate.freshNow('error_rate', 'gateway')).toBe(true);
    expect(gate.freshNow('error_rate', 'gateway')).toBe(true);
  });

  it('lets a channel take at most N alerts per rolling hour, each channel on its own', () => {
    const gate = new MemoryAlertGate({ dedupWindowMs: 0, perChannelPerHour: 3 }, clock);
    expect([gate.allowNow(1), gate.allowNow(1), gate.allowNow(1), gate.allowNow(1)]).toEqual([true, true, true, false]);
    expect(gate.allowNow(2)).toBe(true);
    now += 30 * 60_000;
    expect(gate.allowNow(1)).toBe(false);
    now += 30 * 60_000 - 1;
    expect(gate.allowNow(1)).toBe(false);
    now += 1;
    // the first three are an hour old: room for three again
    expect([gate.allowNow(1), gate.allowNow(1), gate.allowNow(1), gate.allowNow(1)]).toEqual([true, true, true, false]);
  });
});
