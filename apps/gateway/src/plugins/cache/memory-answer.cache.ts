import { LRUCache } from 'lru-cache';
import { answerBytes, type AnswerCache, type CachedAnswer, type CacheLimits } from './answer-cache';

/**
 * Standalone: answers in this process's memory, least recently used evicted past maxEntries, each forgotten after its
 * ttlSeconds. A change of maxEntries rebuilds the LRU keeping the most recent entries with their remaining time.
 */
export class MemoryAnswerCache implements AnswerCache {
  private lru: LRUCache<string, CachedAnswer>;
  private max: number;

  constructor(
    maxEntries = 10_000,
    private readonly perf?: { now(): number },
  ) {
    this.max = maxEntries;
    this.lru = this.make(maxEntries);
  }

  get size(): number {
    return this.lru.size;
  }

  async get(key: string): Promise<CachedAnswer | null> {
    return this.lru.get(key) ?? null;
  }

  async set(key: string, answer: CachedAnswer, limits: CacheLimits): Promise<void> {
    if (limits.maxEntries !== this.max) this.resize(limits.maxEntries);
    if (answerBytes(answer) > limits.maxEntryBytes) return;
    this.lru.set(key, answer, { ttl: limits.ttlSeconds * 1000 });
  }

  private make(max: number): LRUCache<string, CachedAnswer> {
    return new LRUCache<string, CachedAnswer>({ max, ttl: 0, ...(this.perf ? { perf: this.perf, ttlResolution: 0 } : {}) });
  }

  private resize(max: number): void {
    const old = this.lru;
    this.max = max;
    this.lru = this.make(max);
    // least recently used first, so the most recent are the ones kept
    for (const k of old.rkeys()) {
      const v = old.peek(k);
      const ttl = old.getRemainingTTL(k);
      if (v && ttl > 0) this.lru.set(k, v, { ttl: Number.isFinite(ttl) ? ttl : 0 });
    }
  }
}
