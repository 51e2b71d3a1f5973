import type { VerifiedToken, VerifyKeyReply } from '@switchboard/contracts';
import type { Bus } from '@switchboard/messaging';
import { TOKEN_CACHE_MAX_ENTRIES, TokenCache } from './token-cache.service';

/** A bus whose auth service knows every key: each lookup answers a token named after the hash, and is counted. */
function fakeBus() {
  const asked: string[] = [];
  const bus = {
    request: (_subject: string, payload: { keyHash: string }): Promise<VerifyKeyReply> => {
      asked.push(payload.keyHash);
      return Promise.resolve({ token: { tokenId: asked.length, name: payload.keyHash } as unknown as VerifiedToken });
    },
  } as unknown as Bus;
  return { bus, asked };
}

describe('TokenCache', () => {
  it('is a bounded LRU: past the bound the least recently used key goes, the ones in use stay', async () => {
    const { bus, asked } = fakeBus();
    const cache = new TokenCache(bus);
    for (let i = 0; i < TOKEN_CACHE_MAX_ENTRIES; i++) await cache.get(`k${i}`);
    expect(cache.size).toBe(TOKEN_CACHE_MAX_ENTRIES);
    await cache.get('k0'); // used again: now the most recent
    const before = asked.length;
    await cache.get('new-key'); // one over the bound
    expect(cache.size).toBe(TOKEN_CACHE_MAX_ENTRIES);
    expect(cache.peek('k0')).toBeTruthy();
    expect(cache.peek('k1')).toBeUndefined(); // the least recently used
    expect(cache.peek('k2')).toBeTruthy();
    // The active keys were not all dropped (the old cache cleared everything at the bound): no new lookups for them.
    await cache.get('k0');
    await cache.get(`k${TOKEN_CACHE_MAX_ENTRIES - 1}`);
    expect(asked.length).toBe(before + 1);
  });

  it('keeps the invalidation semantics: one key, all keys, and an answer that raced an invalidation is not cached', async () => {
    const { bus, asked } = fakeBus();
    const cache = new TokenCache(bus);
    await cache.get('a');
    await cache.get('b');
    cache.invalidate(['a'], false);
    expect(cache.peek('a')).toBeUndefined();
    expect(cache.peek('b')).toBeTruthy();
    cache.invalidate([], true);
    expect(cache.peek('b')).toBeUndefined();
    const pending = cache.get('c');
    cache.invalidate(['x'], false);
    expect(await pending).toBeTruthy();
    expect(cache.peek('c')).toBeUndefined();
    expect(asked).toEqual(['a', 'b', 'c']);
  });
});
