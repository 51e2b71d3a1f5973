import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { DomainError } from '@switchboard/contracts';
import type { FastifyRequest } from 'fastify';
import { ConsoleAuthenticator, withPrincipal } from './console-authenticator';

/** /api/me/*: a signed-in user of any role. The admin key has no account of its own (403). */
@Injectable()
export class AccountGuard implements CanActivate {
  constructor(private readonly auth: ConsoleAuthenticator) {}

  canActivate(ctx: ExecutionContext): boolean | Promise<boolean> {
    return withPrincipal(this.auth.authenticate(ctx.switchToHttp().getRequest<FastifyRequest>()), (p) => {
      if (p.kind !== 'user') throw new DomainError('forbidden', 403, 'The admin key has no account: sign in with a username for /api/me.');
      return true;
    });
  }
}

/** `GET /api/session`: anyone signed in (admin key or user), to learn how. */
@Injectable()
export class SessionGuard implements CanActivate {
  constructor(private readonly auth: ConsoleAuthenticator) {}

  canActivate(ctx: ExecutionContext): boolean | Promise<boolean> {
    return withPrincipal(this.auth.authenticate(ctx.switchToHttp().getRequest<FastifyRequest>()), () => true);
  }
}
