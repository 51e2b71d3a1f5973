import type { AnswerCache, CachedAnswer, CacheLimits } from './answer-cache';

/** Calls a method of the store that lives in another process (arguments and result as JSON). */
export type RemoteAnswerCacheCall = (method: string, args: unknown[]) => Promise<unknown>;

/**
 * A standalone relay worker's answers are its primary's (one MemoryAnswerCache): an answer stored through one worker is
 * a hit through all of them. A failed call is a miss (or nothing stored), as a Redis outage is.
 */
export class RemoteAnswerCache implements AnswerCache {
  constructor(private readonly remote: RemoteAnswerCacheCall) {}

  async get(key: string): Promise<CachedAnswer | null> {
    return ((await this.remote('get', [key]).catch(() => null)) as CachedAnswer | null) ?? null;
  }

  async set(key: string, answer: CachedAnswer, limits: CacheLimits): Promise<void> {
    await this.remote('set', [key, answer, limits]).catch(() => undefined);
  }
}

/** The primary's side of RemoteAnswerCache. */
export function serveAnswerCacheCall(store: AnswerCache, method: string, args: unknown[]): Promise<unknown> {
  switch (method) {
    case 'get':
      return store.get(args[0] as string);
    case 'set':
      return store.set(args[0] as string, args[1] as CachedAnswer, args[2] as CacheLimits);
    default:
      return Promise.reject(new Error(`AnswerCache has no method ${method}`));
  }
}
