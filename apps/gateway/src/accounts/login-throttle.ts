import { Injectable } from '@nestjs/common';
import { DomainError } from '@switchboard/contracts';
import { FailureThrottle } from '../auth/failure-throttle';

const WINDOW_MS = 5 * 60_000;

/**
 * Failed password sign-ins, counted per address (20 in 5 minutes) and per username (5 in 5 minutes: a password
 * guesser spreading over many addresses still gets 5 tries per account). While either is locked, sign-in answers 429
 * with Retry-After, even for the right password. One per process, like the admin key's throttle.
 */
@Injectable()
export class LoginThrottle {
  private readonly byIp = new FailureThrottle({ maxFailures: 20, windowMs: WINDOW_MS });
  private readonly byName = new FailureThrottle({ maxFailures: 5, windowMs: WINDOW_MS });

  refuseIfLocked(ip: string, username: string): void {
    const wait = Math.max(this.byIp.lockedFor(ip), this.byName.lockedFor(nameKey(username)));
    if (wait > 0) throw new DomainError('too_many_attempts', 429, 'Too many failed sign-ins; try again later.', { retryAfterSeconds: wait });
  }

  fail(ip: string, username: string): void {
    this.byIp.fail(ip);
    this.byName.fail(nameKey(username));
  }

  succeed(ip: string, username: string): void {
    this.byIp.forget(ip);
    this.byName.forget(nameKey(username));
  }
}

const nameKey = (username: string) => `user:${username.trim().toLowerCase()}`;
