import { Redis } from 'ioredis';
import type { CachedAnswer, CacheLimits } from '../../../apps/gateway/src/plugins/cache/answer-cache';
import { RedisAnswerCache, answerIndexKey, answerKey } from '../../../apps/gateway/src/plugins/cache/redis-answer.cache';
import { INFRA, requireInfra } from '../../support/infra';

const answer = (body: string): CachedAnswer => ({
  status: 200,
  contentType: 'text/event-stream',
  body,
  usage: { promptTokens: 3, completionTokens: 5, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 },
  units: null,
});
const limits = (over: Partial<CacheLimits> = {}): CacheLimits => ({ ttlSeconds: 60, maxEntries: 3, maxEntryBytes: 1024, ...over });

/** The cache plugin's cluster store: two replicas' connections share answers; TTL by Redis; bounded by maxEntries. */
describe('RedisAnswerCache', () => {
  let run = true;
  let a: RedisAnswerCache;
  let b: RedisAnswerCache;
  let redis: Redis | undefined;

  beforeAll(async () => {
    run = await requireInfra('redis');
    if (!run) return;
    a = RedisAnswerCache.fromUrl(INFRA.redis.url);
    b = RedisAnswerCache.fromUrl(INFRA.redis.url);
    redis = new Redis(INFRA.redis.url);
  });
  beforeEach(async () => {
    if (!run) return;
    const keys = await redis!.keys('sb:cache:*');
    if (keys.length) await redis!.del(...keys);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await redis?.quit();
  });

  const maybe = (name: string, fn: () => Promise<void>) => it(name, async () => (run ? fn() : undefined));

  maybe('an answer stored by one replica is read by the other, with the TTL of the settings', async () => {
    await a.set('k1', answer('data: {"x":1}\n\n'), limits({ ttlSeconds: 30 }));
    expect(await b.get('k1')).toEqual(answer('data: {"x":1}\n\n'));
    const pttl = await redis!.pttl(answerKey('k1'));
    expect(pttl).toBeGreaterThan(25_000);
    expect(pttl).toBeLessThanOrEqual(30_000);
    expect(await b.get('nope')).toBeNull();
  });

  maybe('keeps at most maxEntries, the first to expire going first; answers over maxEntryBytes are not stored', async () => {
    for (const k of ['a', 'b', 'c', 'd']) await a.set(k, answer(k), limits({ maxEntries: 3 }));
    expect(await b.get('a')).toBeNull();
    expect((await b.get('d'))?.body).toBe('d');
    expect(await redis!.zcard(answerIndexKey())).toBe(3);
    expect(await redis!.exists(answerKey('a'))).toBe(0);

    await a.set('big', answer('x'.repeat(11)), limits({ maxEntryBytes: 10 }));
    expect(await b.get('big')).toBeNull();
  });

  maybe('a value that is not an answer reads as a miss', async () => {
    await redis!.set(answerKey('bad'), '{"status":"x"}');
    expect(await a.get('bad')).toBeNull();
    await redis!.set(answerKey('bad'), 'not json');
    expect(await a.get('bad')).toBeNull();
  });

  maybe('with Redis unreachable the cache misses and stores nothing instead of failing the request', async () => {
    // as once connected and then cut off: commands fail at once instead of queueing
    const away = RedisAnswerCache.fromUrl('redis://127.0.0.1:1', { connectTimeout: 200, enableOfflineQueue: false });
    try {
      expect(await away.get('k')).toBeNull();
      await expect(away.set('k', answer('x'), limits())).resolves.toBeUndefined();
    } finally {
      await away.close();
    }
  });
});
