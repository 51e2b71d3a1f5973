import { Injectable } from '@nestjs/common';
import { Subjects, type VerifiedToken, type VerifyKeyReply } from '@switchboard/contracts';
import { Bus } from '@switchboard/messaging';
import { LRUCache } from 'lru-cache';

interface Entry {
  token: VerifiedToken | null;
  until: number;
}

const POSITIVE_TTL_MS = 60_000;
const NEGATIVE_TTL_MS = 5_000;
export const TOKEN_CACHE_MAX_ENTRIES = 100_000;

/**
 * Verified keys, cached at the edge so the hot path makes no bus round trip. `auth.changed.v1` drops entries on
 * every replica at once; the TTL is only a safety net for a missed event. Concurrent misses share one lookup.
 * Bounded as an LRU: past the bound the least recently used key goes (a flood of unknown keys evicts itself first
 * rather than every active key at once).
 */
@Injectable()
export class TokenCache {
  // Expiry stays our own `until` (negative answers live shorter than positive ones); the LRU only bounds and orders.
  private readonly entries = new LRUCache<string, Entry>({ max: TOKEN_CACHE_MAX_ENTRIES });
  private readonly inflight = new Map<string, Promise<VerifiedToken | null>>();
  private generation = 0;

  constructor(private readonly bus: Bus) {}

  async get(keyHash: string): Promise<VerifiedToken | null> {
    const e = this.entries.get(keyHash);
    if (e && e.until > Date.now()) return e.token;
    let p = this.inflight.get(keyHash);
    if (!p) {
      p = this.load(keyHash).finally(() => this.inflight.delete(keyHash));
      this.inflight.set(keyHash, p);
    }
    return p;
  }

  /** The cached answer without asking the auth service: a token, null (known bad), or undefined (not cached). */
  peek(keyHash: string): VerifiedToken | null | undefined {
    const e = this.entries.get(keyHash);
    return e && e.until > Date.now() ? e.token : undefined;
  }

  /** A token by its id, asked of the auth service each time (the console's playground: admin only, not the hot path). */
  async byId(tokenId: number): Promise<VerifiedToken | null> {
    return (await this.bus.request<VerifyKeyReply>(Subjects.AuthVerifyKey, { tokenId })).token;
  }

  get size(): number {
    return this.entries.size;
  }

  private async load(keyHash: string): Promise<VerifiedToken | null> {
    const gen = this.generation;
    const reply = await this.bus.request<VerifyKeyReply>(Subjects.AuthVerifyKey, { keyHash });
    // An invalidation that arrived while we were asking makes this answer stale: use it once, do not cache it.
    if (gen === this.generation) {
      this.entries.set(keyHash, { token: reply.token, until: Date.now() + (reply.token ? POSITIVE_TTL_MS : NEGATIVE_TTL_MS) });
    }
    return reply.token;
  }

  invalidate(keyHashes: string[], all: boolean): void {
    this.generation++;
    if (all) this.entries.clear();
    else for (const h of keyHashes) this.entries.delete(h);
  }
}
