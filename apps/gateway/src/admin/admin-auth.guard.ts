import { timingSafeEqual, createHash } from 'node:crypto';
import { Inject, Injectable, Logger, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@switchboard/config';
import { DomainError } from '@switchboard/contracts';
import type { FastifyRequest } from 'fastify';
import { FailureThrottle } from '../auth/failure-throttle';

const WINDOW_MS = 60_000;
const MAX_FAILURES = 20;

/**
 * `Authorization: Bearer <ADMIN_KEY>` or `X-Admin-Key`. Compared in constant time (on sha256 digests, so length
 * leaks nothing either). An address with MAX_FAILURES failures inside a minute is refused — even with the right
 * key — until that minute is over (429 with Retry-After), which caps guessing at 20 keys a minute per address.
 */
@Injectable()
export class AdminAuthGuard implements CanActivate {
  private readonly logger = new Logger(AdminAuthGuard.name);
  private readonly expected: Buffer;
  private readonly throttle = new FailureThrottle({ maxFailures: MAX_FAILURES, windowMs: WINDOW_MS });

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.expected = createHash('sha256').update(config.ADMIN_KEY).digest();
  }

  canActivate(ctx: ExecutionContext): boolean {
    const req = ctx.switchToHttp().getRequest<FastifyRequest>();
    const retryAfterSeconds = this.throttle.lockedFor(req.ip);
    if (retryAfterSeconds > 0) {
      throw new DomainError('too_many_attempts', 429, 'Too many failed admin authentications; try again later.', { retryAfterSeconds });
    }
    const presented = presentedKey(req);
    if (presented !== undefined && timingSafeEqual(createHash('sha256').update(presented).digest(), this.expected)) {
      this.throttle.forget(req.ip);
      return true;
    }
    if (this.throttle.fail(req.ip))
      this.logger.warn(`admin API: ${MAX_FAILURES} bad keys from ${req.ip} within a minute; refusing it until the minute is over`);
    throw new DomainError('unauthorized', 401, 'Missing or invalid admin key.');
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
