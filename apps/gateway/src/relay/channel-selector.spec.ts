import type { RuntimeChannel } from '../state/routing-table.service';
import { pickAliasTarget, pickChannel, pickKey } from './channel-selector';

const ch = (id: number, priority = 0, weight = 1, keys = 1, keyMode: 'random' | 'round_robin' = 'random'): RuntimeChannel => ({
  id,
  name: `c${id}`,
  type: 'openai',
  baseUrl: 'http://x',
  keyMode,
  keys: Array.from({ length: keys }, (_, i) => ({ index: i, key: `k${i}` })),
  models: ['m'],
  modelMapping: {},
  groups: ['default'],
  priority,
  weight,
  headers: {},
  paramOverride: {},
  statusCodeMapping: {},
  timeouts: null,
  autoBan: true,
  endpoints: null,
  matchers: [/^m$/],
});

describe('channel selection', () => {
  it('tries the highest priority tier first and never a channel already tried', () => {
    const cs = [ch(1, 0), ch(2, 10), ch(3, 10)];
    const first = pickChannel(cs, new Set());
    expect([2, 3]).toContain(first!.id);
    expect(pickChannel(cs, new Set([2, 3]))!.id).toBe(1);
    expect(pickChannel(cs, new Set([1, 2, 3]))).toBeUndefined();
  });

  it('splits a tier by weight (3:1 within a few percent over many picks)', () => {
    const cs = [ch(1, 0, 3), ch(2, 0, 1)];
    let seed = 42;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const counts = { 1: 0, 2: 0 } as Record<number, number>;
    for (let i = 0; i < 20_000; i++) counts[pickChannel(cs, new Set(), undefined, rand)!.id]++;
    expect(counts[1] / counts[2]).toBeGreaterThan(2.8);
    expect(counts[1] / counts[2]).toBeLessThan(3.2);
  });

  it('scales weight by health', () => {
    const cs = [ch(1, 0, 1), ch(2, 0, 1)];
    for (let i = 0; i < 50; i++) expect(pickChannel(cs, new Set(), (id) => (id === 1 ? 0 : 1))!.id).toBe(2);
  });

  it('rotates keys round-robin and skips excluded keys', () => {
    const c = ch(7, 0, 1, 3, 'round_robin');
    const seen = [pickKey(c, new Set())!.index, pickKey(c, new Set())!.index, pickKey(c, new Set())!.index];
    expect(new Set(seen).size).toBe(3);
    for (let i = 0; i < 10; i++) expect(pickKey(c, new Set(['7:0', '7:1']))!.index).toBe(2);
    expect(pickKey(c, new Set(['7:0', '7:1', '7:2']))).toBeUndefined();
  });

  it('picks alias targets by weight', () => {
    expect(
      pickAliasTarget([
        { model: 'a', weight: 0 },
        { model: 'b', weight: 5 },
      ]),
    ).toBe('b');
    expect(pickAliasTarget([])).toBeUndefined();
  });
});
