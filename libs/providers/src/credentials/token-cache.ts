/** A minted token and when it stops being valid (epoch ms). */
export interface MintedToken {
  value: string;
  expiresAt: number;
}

/** Tokens by credential: one mint in flight per key, reused until shortly before it expires. */
export interface TokenCache {
  get(key: string, mint: () => Promise<MintedToken>): Promise<string>;
  /** The upstream refused the token: the next `get` mints again. */
  invalidate(key: string): void;
}

/** A token this close to its expiry is renewed rather than sent (clock skew, a long request). */
export const TOKEN_RENEW_BEFORE_MS = 5 * 60_000;

/** Bounded so that a pool of many credentials cannot grow the map without end. */
const MAX_ENTRIES = 10_000;

export class MemoryTokenCache implements TokenCache {
  private readonly tokens = new Map<string, MintedToken>();
  private readonly inflight = new Map<string, Promise<MintedToken>>();

  constructor(private readonly now: () => number = Date.now) {}

  async get(key: string, mint: () => Promise<MintedToken>): Promise<string> {
    const held = this.tokens.get(key);
    if (held && held.expiresAt - TOKEN_RENEW_BEFORE_MS > this.now()) return held.value;
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = mint().finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
    }
    const token = await pending;
    if (this.tokens.size >= MAX_ENTRIES && !this.tokens.has(key)) this.tokens.delete(this.tokens.keys().next().value!);
    this.tokens.set(key, token);
    return token.value;
  }

  invalidate(key: string): void {
    this.tokens.delete(key);
  }
}
