/**
 * The only place limit-store Redis keys are spelled.
 *
 *   <prefix>:{lim}:rpm:<scope>     hash   bucket second -> requests   (sliding 60 s window)
 *   <prefix>:{lim}:tpm:<scope>     hash   bucket second -> tokens     (sliding 60 s window)
 *   <prefix>:{lim}:cc:<scope>      zset   requestId -> lease expiry ms (live concurrency leases)
 *   <prefix>:{lim}:quota:<account> string remaining micro-USD          (lazy-initialised from the DB's view)
 *   <prefix>:{lim}:pend:<account>  hash   requestId -> 'R<micros>@<ms>' reserved | 'S<micros>@<ms>' settled, not yet
 *                                         confirmed in the ledger; '#tx:<txid>' -> 'B<micros>@<ms>' billed by that
 *                                         transaction; '#epoch' -> id of the counter's current life
 *   <prefix>:{lim}:lease:<reqId>   string '1' while the lease is unsettled (idempotent settle/release)
 *   <prefix>:{lim}:once:<key>      string '1' until its end: an event already raised (markOnce)
 *
 * Every key carries the same hash tag `{lim}` so that one script can touch a token, its user and its group
 * atomically on Redis Cluster too (all limit keys live in one slot; the load is one small script per request,
 * which one shard handles easily). The prefix must not contain '{' so that `{lim}` stays the hash tag.
 */
export const DEFAULT_KEY_PREFIX = 'sb';

export class LimitKeys {
  private readonly base: string;

  constructor(readonly prefix: string = DEFAULT_KEY_PREFIX) {
    if (prefix.includes('{') || prefix.includes('}')) throw new Error(`limit key prefix must not contain braces: ${prefix}`);
    this.base = `${prefix}:{lim}:`;
  }

  rpm(scope: string): string {
    return `${this.base}rpm:${scope}`;
  }

  tpm(scope: string): string {
    return `${this.base}tpm:${scope}`;
  }

  concurrency(scope: string): string {
    return `${this.base}cc:${scope}`;
  }

  quota(account: string): string {
    return `${this.base}quota:${account}`;
  }

  pending(account: string): string {
    return `${this.base}pend:${account}`;
  }

  /** A once-only mark (markOnce). */
  mark(key: string): string {
    return `${this.base}once:${key}`;
  }

  /** The account a quota key belongs to, or null for any other key. */
  accountOf(key: string): string | null {
    const head = `${this.base}quota:`;
    return key.startsWith(head) ? key.slice(head.length) : null;
  }

  lease(requestId: string): string {
    return `${this.base}lease:${requestId}`;
  }

  /** Pattern matching every key under this prefix (tests clean up with SCAN + DEL). */
  pattern(): string {
    return `${this.base}*`;
  }
}
