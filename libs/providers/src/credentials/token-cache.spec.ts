import { MemoryTokenCache, TOKEN_RENEW_BEFORE_MS } from './token-cache';

describe('MemoryTokenCache', () => {
  it('mints once for concurrent callers and reuses the token until shortly before it expires', async () => {
    let now = 1_000_000;
    const cache = new MemoryTokenCache(() => now);
    let mints = 0;
    const mint = async () => ({ value: `t${++mints}`, expiresAt: now + 3_600_000 });
    expect(await Promise.all([cache.get('k', mint), cache.get('k', mint), cache.get('k', mint)])).toEqual(['t1', 't1', 't1']);
    now += 3_600_000 - TOKEN_RENEW_BEFORE_MS - 1;
    expect(await cache.get('k', mint)).toBe('t1');
    now += 2;
    expect(await cache.get('k', mint)).toBe('t2');
  });

  it('mints again after invalidate, and a failed mint is not kept', async () => {
    const cache = new MemoryTokenCache();
    let n = 0;
    await expect(cache.get('k', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    const mint = async () => ({ value: `t${++n}`, expiresAt: Date.now() + 3_600_000 });
    expect(await cache.get('k', mint)).toBe('t1');
    cache.invalidate('k');
    expect(await cache.get('k', mint)).toBe('t2');
  });
});
