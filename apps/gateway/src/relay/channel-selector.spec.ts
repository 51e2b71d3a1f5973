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

  it('skips a key whose provider-reported allowance is used up until its reset, and uses near-limit keys last', () => {
    const now = Date.parse('2026-12-06T12:00:00Z');
    const c = ch(8, 0, 1, 4);
    c.keys[0].allowance = { ratio: 1, resetAt: now + 60_000 }; // used up, resets in a minute
    c.keys[1].allowance = { ratio: 0.95, resetAt: null }; // near its limit
    c.keys[2].allowance = { ratio: 0.2, resetAt: null };
    // key 3 reports nothing: as roomy as can be
    const picks = new Set(Array.from({ length: 200 }, () => pickKey(c, new Set(), Math.random, now)!.index));
    expect([...picks].sort()).toEqual([2, 3]);
    // the roomy keys excluded: the near-limit one, never the used-up one
    expect(pickKey(c, new Set(['8:2', '8:3']), Math.random, now)!.index).toBe(1);
    expect(pickKey(c, new Set(['8:1', '8:2', '8:3']), Math.random, now)).toBeUndefined();
    // after its reset it is usable again even before the router reads it anew
    expect(pickKey(c, new Set(['8:1', '8:2', '8:3']), Math.random, now + 60_001)!.index).toBe(0);
    // used up with no reset named: out until the router reads a new allowance
    c.keys[0].allowance = { ratio: 1.2, resetAt: null };
    expect(pickKey(c, new Set(['8:1', '8:2', '8:3']), Math.random, now + 10 * 86_400_000)).toBeUndefined();
    // among near-limit keys the least used goes first
    c.keys[2].allowance = { ratio: 0.91, resetAt: null };
    expect(pickKey(c, new Set(['8:3']), Math.random, now)!.index).toBe(2);
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
