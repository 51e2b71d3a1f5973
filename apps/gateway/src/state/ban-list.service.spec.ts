import { MemoryHealthStore } from '@switchboard/health';
import type { Bus } from '@switchboard/messaging';
import { BanListService } from './ban-list.service';

const o = (channelId: number) => ({ channelId, model: 'm', keyIndex: 0, multiKey: false, ok: true });

describe('BanListService.health (selection weight factor)', () => {
  const svc = () => new BanListService(new MemoryHealthStore(), { emit: () => undefined } as unknown as Bus);

  it('ignores jitter and a one-off stall, but scales down a channel that is consistently much slower', () => {
    const s = svc();
    for (let i = 0; i < 20; i++) s.record(o(1), 1);
    s.record(o(2), 1);
    s.record(o(2), 300); // one stall on the low-traffic channel
    expect(s.health(2, 1)).toBeGreaterThan(0.8);
    for (let i = 0; i < 30; i++) s.record(o(3), 3_000);
    expect(s.health(3, 1)).toBeLessThan(0.25);
  });

  it('scales down by the recent local error rate', () => {
    const s = svc();
    for (let i = 0; i < 5; i++) s.record({ ...o(4), ok: false }, null);
    for (let i = 0; i < 5; i++) s.record(o(4), 1);
    expect(s.health(4, 1)).toBeCloseTo(0.5, 1);
  });
});

describe('BanListService: successes reach the shared store in batches', () => {
  it('counts each (channel, model, key) apart and flushes the counts once at shutdown', async () => {
    const store = new MemoryHealthStore();
    const flushed: unknown[] = [];
    store.recordSuccesses = async (batch) => void flushed.push(...batch);
    const s = new BanListService(store, { emit: () => undefined } as unknown as Bus);
    for (let i = 0; i < 3; i++) s.record(o(1), 1);
    s.record({ ...o(1), model: 'other' }, 1);
    s.record({ ...o(2), keyIndex: 1, multiKey: true }, 1);
    s.record({ ...o(2), keyIndex: 1, multiKey: true }, 1);
    await s.onApplicationShutdown();
    expect(flushed).toEqual([
      { channelId: 1, model: 'm', keyIndex: 0, multiKey: false, count: 3 },
      { channelId: 1, model: 'other', keyIndex: 0, multiKey: false, count: 1 },
      { channelId: 2, model: 'm', keyIndex: 1, multiKey: true, count: 2 },
    ]);
  });
});
