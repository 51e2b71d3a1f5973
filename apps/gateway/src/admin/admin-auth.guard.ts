import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { DomainError } from '@switchboard/contracts';
import type { FastifyRequest } from 'fastify';
import { ConsoleAuthenticator, withPrincipal } from '../accounts/console-authenticator';
import type { Principal } from '../accounts/principal';

export { presentedAdminKey } from '../accounts/console-authenticator';

/**
 * The admin API: the admin key (in a header or its console session) or a signed-in `admin` or `root`. A `user` is
 * refused with 403 — its routes are /api/me/*. What only root may do (manage admins and roots) the owning service
 * checks, from the role the admin controller forwards.
 */
@Injectable()
export class AdminAuthGuard implements CanActivate {
  constructor(private readonly auth: ConsoleAuthenticator) {}

  canActivate(ctx: ExecutionContext): boolean | Promise<boolean> {
    return withPrincipal(this.auth.authenticate(ctx.switchToHttp().getRequest<FastifyRequest>()), mayAdminister);
  }
}

function mayAdminister(p: Principal): boolean {
  if (p.kind === 'user' && p.role === 'user') {
    throw new DomainError('forbidden', 403, 'Your account cannot use the admin API; its own data is under /api/me.');
  }
  return true;
}
