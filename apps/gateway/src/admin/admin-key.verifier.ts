import { timingSafeEqual, createHash } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@switchboard/config';
import { DomainError } from '@switchboard/contracts';
import { FailureThrottle } from '../auth/failure-throttle';

const WINDOW_MS = 60_000;
const MAX_FAILURES = 20;

/**
 * The admin key check and its failure throttle, one per process: the admin API's guard and the console's sign-in
 * share it, so guesses through either count toward one limit. The key is compared in constant time (on sha256
 * digests, so length leaks nothing either). An address with MAX_FAILURES failures inside a minute is refused — even
 * with the right key — until that minute is over (429 with Retry-After), which caps guessing at 20 keys a minute.
 */
@Injectable()
export class AdminKeyVerifier {
  private readonly logger = new Logger(AdminKeyVerifier.name);
  private readonly expected: Buffer;
  private readonly throttle = new FailureThrottle({ maxFailures: MAX_FAILURES, windowMs: WINDOW_MS });

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.expected = createHash('sha256').update(config.ADMIN_KEY).digest();
  }

  /** Throws 429 while the address is locked, 401 (counted as a failure) unless `presented` is the admin key. */
  verify(ip: string, presented: string | undefined): void {
    this.refuseIfLocked(ip);
    if (presented !== undefined && timingSafeEqual(createHash('sha256').update(presented).digest(), this.expected)) {
      this.throttle.forget(ip);
      return;
    }
    if (this.throttle.fail(ip)) this.logger.warn(`admin API: ${MAX_FAILURES} bad keys from ${ip} within a minute; refusing it until the minute is over`);
    throw new DomainError('unauthorized', 401, 'Missing or invalid admin key.');
  }

  refuseIfLocked(ip: string): void {
    const retryAfterSeconds = this.throttle.lockedFor(ip);
    if (retryAfterSeconds > 0) {
      throw new DomainError('too_many_attempts', 429, 'Too many failed admin authentications; try again later.', { retryAfterSeconds });
    }
  }
}
