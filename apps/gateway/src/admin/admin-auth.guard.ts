import { timingSafeEqual, createHash } from 'node:crypto';
import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@switchboard/config';
import { DomainError } from '@switchboard/contracts';
import type { FastifyRequest } from 'fastify';

const WINDOW_MS = 60_000;
const MAX_FAILURES = 20;

/**
 * `Authorization: Bearer <ADMIN_KEY>` or `X-Admin-Key`. Compared in constant time (on sha256 digests, so length
 * leaks nothing either); an address that keeps failing is refused for the rest of the minute.
 */
@Injectable()
export class AdminAuthGuard implements CanActivate {
  private readonly expected: Buffer;
  private readonly failures = new Map<string, { count: number; since: number }>();

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.expected = createHash('sha256').update(config.ADMIN_KEY).digest();
  }

  canActivate(ctx: ExecutionContext): boolean {
    const req = ctx.switchToHttp().getRequest<FastifyRequest>();
    const now = Date.now();
    const f = this.failures.get(req.ip);
    if (f && now - f.since < WINDOW_MS && f.count >= MAX_FAILURES) {
      throw new DomainError('too_many_attempts', 429, 'Too many failed admin authentications; try again later.', {
        retryAfterSeconds: Math.ceil((f.since + WINDOW_MS - now) / 1000),
      });
    }
    const auth = req.headers.authorization;
    const presented =
      (typeof auth === 'string' && /^bearer\s+/i.test(auth) ? auth.replace(/^bearer\s+/i, '').trim() : undefined) ??
      (typeof req.headers['x-admin-key'] === 'string' ? req.headers['x-admin-key'] : undefined);
    if (presented && timingSafeEqual(createHash('sha256').update(presented).digest(), this.expected)) {
      this.failures.delete(req.ip);
      return true;
    }
    const cur = f && now - f.since < WINDOW_MS ? f : { count: 0, since: now };
    cur.count++;
    this.failures.set(req.ip, cur);
    if (this.failures.size > 10_000) this.failures.clear();
    throw new DomainError('unauthorized', 401, 'Missing or invalid admin key.');
  }
}
