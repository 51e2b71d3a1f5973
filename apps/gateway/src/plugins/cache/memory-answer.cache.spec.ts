import type { CachedAnswer, CacheLimits } from './answer-cache';
import { MemoryAnswerCache } from './memory-answer.cache';

const answer = (body: string): CachedAnswer => ({
  status: 200,
  contentType: 'application/json',
  body,
  usage: { promptTokens: 3, completionTokens: 5, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 },
  units: null,
});
const limits = (over: Partial<CacheLimits> = {}): CacheLimits => ({ ttlSeconds: 60, maxEntries: 3, maxEntryBytes: 1024, ...over });

describe('MemoryAnswerCache', () => {
  let now = 1_000_000;
  const clock = { now: () => now };
  beforeEach(() => {
    now = 1_000_000;
  });

  it('keeps at most maxEntries, the least recently used going first', async () => {
    const cache = new MemoryAnswerCache(3, clock);
    for (const k of ['a', 'b', 'c']) await cache.set(k, answer(k), limits());
    expect((await cache.get('a'))?.body).toBe('a'); // a is now the most recent
    await cache.set('d', answer('d'), limits());
    expect(await cache.get('b')).toBeNull();
    expect((await cache.get('a'))?.body).toBe('a');
    expect((await cache.get('c'))?.body).toBe('c');
    expect((await cache.get('d'))?.body).toBe('d');
    expect(cache.size).toBe(3);
  });

  it('forgets an answer after its ttlSeconds', async () => {
    const cache = new MemoryAnswerCache(3, clock);
    await cache.set('a', answer('a'), limits({ ttlSeconds: 10 }));
    await cache.set('b', answer('b'), limits({ ttlSeconds: 30 }));
    now += 9_999;
    expect((await cache.get('a'))?.body).toBe('a');
    now += 2;
    expect(await cache.get('a')).toBeNull();
    expect((await cache.get('b'))?.body).toBe('b');
    now += 20_000;
    expect(await cache.get('b')).toBeNull();
  });

  it('does not keep an answer larger than maxEntryBytes (counted in UTF-8 bytes)', async () => {
    const cache = new MemoryAnswerCache(3, clock);
    await cache.set('big', answer('é'.repeat(6)), limits({ maxEntryBytes: 11 }));
    expect(await cache.get('big')).toBeNull();
    await cache.set('fits', answer('é'.repeat(5)), limits({ maxEntryBytes: 11 }));
    expect((await cache.get('fits'))?.body).toBe('ééééé');
  });

  it('a smaller maxEntries keeps the most recent entries with their remaining time', async () => {
    const cache = new MemoryAnswerCache(3, clock);
    for (const k of ['a', 'b', 'c']) await cache.set(k, answer(k), limits({ ttlSeconds: 10 }));
    now += 5_000;
    await cache.set('d', answer('d'), limits({ maxEntries: 2, ttlSeconds: 10 }));
    expect(cache.size).toBe(2);
    expect(await cache.get('b')).toBeNull();
    expect((await cache.get('c'))?.body).toBe('c');
    now += 5_001;
    expect(await cache.get('c')).toBeNull(); // c kept its own deadline
    expect((await cache.get('d'))?.body).toBe('d');
  });
});
