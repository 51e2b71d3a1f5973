import type { BillableUnits, Usage } from '@switchboard/protocols';

/** A stored answer: the exact bytes the client received (a JSON body or a stream's SSE text) and what it was billed. */
export interface CachedAnswer {
  status: number;
  contentType: string;
  body: string;
  usage: Usage;
  units: BillableUnits | null;
}

/** The plugin's settings that bound the store (SPEC §8 cache: ttlSeconds, maxEntries, maxEntryBytes). */
export interface CacheLimits {
  ttlSeconds: number;
  maxEntries: number;
  maxEntryBytes: number;
}

/**
 * Where answers are kept: this process's memory in standalone (an LRU), Redis in cluster mode (every gateway replica
 * shares the hits). A store that fails (Redis away) answers nothing and keeps nothing: the request goes upstream.
 */
export interface AnswerCache {
  get(key: string): Promise<CachedAnswer | null>;
  set(key: string, answer: CachedAnswer, limits: CacheLimits): Promise<void>;
  close?(): Promise<void>;
}

/** The stored size of an answer: its body's bytes (what maxEntryBytes bounds). */
export const answerBytes = (a: Pick<CachedAnswer, 'body'>): number => Buffer.byteLength(a.body, 'utf8');
