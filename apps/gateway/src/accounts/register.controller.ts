import { Controller, HttpCode, Post, Req } from '@nestjs/common';
import { DomainError } from '@switchboard/contracts';
import type { FastifyRequest } from 'fastify';
import { FailureThrottle } from '../auth/failure-throttle';
import type { RawJsonBody } from '../relay/inbound';
import { AccountDirectory } from './account-directory';

/**
 * `POST /api/auth/register` `{ username, password }` → 201 `{ id, name, role: 'user' }` (then sign in with
 * POST /api/session). Off unless REGISTRATION_ENABLED=true (403 `registration_disabled`, decided by auth). At most 10
 * attempts per address in 10 minutes, so a script cannot fill the users table.
 *
 * Sign-in methods other than the password live beside this under /api/auth/: passkeys (`/api/auth/passkey/…`) and
 * OIDC (`/api/auth/oidc/login` and its callback) each resolve a user and finish with SessionController.issue().
 */
@Controller('api/auth')
export class RegisterController {
  private readonly attempts = new FailureThrottle({ maxFailures: 10, windowMs: 10 * 60_000 });

  constructor(private readonly accounts: AccountDirectory) {}

  @Post('register')
  @HttpCode(201)
  register(@Req() req: FastifyRequest) {
    const wait = this.attempts.lockedFor(req.ip);
    if (wait > 0) throw new DomainError('too_many_attempts', 429, 'Too many registrations from this address; try again later.', { retryAfterSeconds: wait });
    this.attempts.fail(req.ip);
    const body = req.body as RawJsonBody | undefined;
    if (!body || body.parseError !== undefined) throw new DomainError('invalid_request', 400, `body: ${body?.parseError ?? 'a JSON object is required'}`);
    const json = (body.json ?? {}) as { username?: unknown; password?: unknown };
    if (typeof json.username !== 'string') throw new DomainError('invalid_request', 400, 'username: required', { field: 'username' });
    if (typeof json.password !== 'string') throw new DomainError('invalid_request', 400, 'password: required', { field: 'password' });
    return this.accounts.call({ op: 'register', username: json.username, password: json.password });
  }
}
