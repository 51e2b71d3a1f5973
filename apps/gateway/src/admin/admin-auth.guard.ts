import { timingSafeEqual, createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { Inject, Injectable, Logger, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@switchboard/config';
import { DomainError } from '@switchboard/contracts';
import type { FastifyRequest } from 'fastify';

const WINDOW_MS = 60_000;
const MAX_FAILURES = 20;
const MAX_TRACKED = 10_000;

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
  const groups = v4.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((g) => g.toLowerCase().replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

/**
 * `Authorization: Bearer <ADMIN_KEY>` or `X-Admin-Key`. Compared in constant time (on sha256 digests, so length
 * leaks nothing either). An address with MAX_FAILURES failures inside a minute is refused — even with the right
 * key — until that minute is over (429 with Retry-After), which caps guessing at 20 keys a minute per address.
 */
@Injectable()
export class AdminAuthGuard implements CanActivate {
  private readonly logger = new Logger(AdminAuthGuard.name);
  private readonly expected: Buffer;
  private readonly failures = new Map<string, { count: number; since: number }>();

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.expected = createHash('sha256').update(config.ADMIN_KEY).digest();
  }

  canActivate(ctx: ExecutionContext): boolean {
    const req = ctx.switchToHttp().getRequest<FastifyRequest>();
    const now = Date.now();
    const who = throttleKey(req.ip);
    const f = this.failures.get(who);
    if (f && now - f.since < WINDOW_MS && f.count >= MAX_FAILURES) {
      throw new DomainError('too_many_attempts', 429, 'Too many failed admin authentications; try again later.', {
        retryAfterSeconds: Math.max(1, Math.ceil((f.since + WINDOW_MS - now) / 1000)),
      });
    }
    const presented = presentedKey(req);
    if (presented !== undefined && timingSafeEqual(createHash('sha256').update(presented).digest(), this.expected)) {
      this.failures.delete(who);
      return true;
    }
    const cur = f && now - f.since < WINDOW_MS ? f : { count: 0, since: now };
    cur.count++;
    if (cur.count === MAX_FAILURES) this.logger.warn(`admin API: ${MAX_FAILURES} bad keys from ${who} within a minute; refusing it until the minute is over`);
    this.failures.delete(who);
    this.failures.set(who, cur);
    if (this.failures.size > MAX_TRACKED) this.evict(now);
    throw new DomainError('unauthorized', 401, 'Missing or invalid admin key.');
  }

  /** Expired windows first; if many addresses are failing at once, the longest-tracked go (Map order = insertion). */
  private evict(now: number): void {
    for (const [k, v] of this.failures) if (now - v.since >= WINDOW_MS) this.failures.delete(k);
    for (const k of this.failures.keys()) {
      if (this.failures.size <= MAX_TRACKED * 0.9) break;
      this.failures.delete(k);
    }
  }
}

function presentedKey(req: FastifyRequest): string | undefined {
  const auth = req.headers.authorization;
  if (typeof auth === 'string' && /^bearer\s+/i.test(auth)) {
    const v = auth.replace(/^bearer\s+/i, '').trim();
    if (v) return v;
  }
  const x = req.headers['x-admin-key'];
  return typeof x === 'string' && x ? x : undefined;
}
