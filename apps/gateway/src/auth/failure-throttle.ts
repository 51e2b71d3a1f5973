import { isIP } from 'node:net';

/**
 * Failures are counted per client address (`req.ip`: X-Forwarded-For only from TRUSTED_PROXIES). IPv6 clients
 * usually own a whole /64, so they are counted per /64; IPv4-mapped addresses as IPv4.
 */
export function throttleKey(ip: string): string {
  const v4 = ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
  if (isIP(v4) !== 6) return v4;
  const [head = '', tail = ''] = v4.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = v4.includes('::') ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.toLowerCase().replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

export interface FailureThrottleOptions {
  /** failures inside one window that lock the address until the window is over */
  maxFailures: number;
  windowMs: number;
  /** addresses tracked at most (a spray from many addresses cannot grow the map without bound) */
  maxTracked?: number;
}

/**
 * Failed key attempts per client address in a fixed window that starts at the first failure. An address with
 * `maxFailures` failures is locked until its window ends; what a locked address may still do is the caller's choice
 * (the admin guard refuses everything, the key authenticator only keys it has not verified already).
 */
export class FailureThrottle {
  private readonly failures = new Map<string, { count: number; since: number }>();
  private readonly maxTracked: number;

  constructor(private readonly options: FailureThrottleOptions) {
    this.maxTracked = options.maxTracked ?? 10_000;
  }

  /** Seconds until the address may try again, or 0 when it is not locked. */
  lockedFor(ip: string, now = Date.now()): number {
    if (this.failures.size === 0) return 0;
    const f = this.failures.get(throttleKey(ip));
    if (!f || now - f.since >= this.options.windowMs || f.count < this.options.maxFailures) return 0;
    return Math.max(1, Math.ceil((f.since + this.options.windowMs - now) / 1000));
  }

  /** Counts one failure; true when this one locked the address (to log it once). */
  fail(ip: string, now = Date.now()): boolean {
    const who = throttleKey(ip);
    const f = this.failures.get(who);
    const cur = f && now - f.since < this.options.windowMs ? f : { count: 0, since: now };
    cur.count++;
    // Re-inserted so that Map order is the order of last failure (eviction drops the longest quiet first).
    this.failures.delete(who);
    this.failures.set(who, cur);
    if (this.failures.size > this.maxTracked) this.evict(now);
    return cur.count === this.options.maxFailures;
  }

  forget(ip: string): void {
    if (this.failures.size) this.failures.delete(throttleKey(ip));
  }

  /** Expired windows first; if many addresses are failing at once, the longest-tracked go. */
  private evict(now: number): void {
    for (const [k, v] of this.failures) if (now - v.since >= this.options.windowMs) this.failures.delete(k);
    for (const k of this.failures.keys()) {
      if (this.failures.size <= this.maxTracked * 0.9) break;
      this.failures.delete(k);
    }
  }
}
