import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { DomainError } from '@switchboard/contracts';
import type { FastifyRequest } from 'fastify';
import { sessionIdOf } from '../session/session-cookie';
import { SessionService, csrfTokenMatches } from '../session/session.service';
import { AdminKeyVerifier } from './admin-key.verifier';

/** Methods that change nothing, so a cookie alone may make them (anything else needs the session's CSRF token). */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * `Authorization: Bearer <ADMIN_KEY>` or `X-Admin-Key` (checked and throttled by AdminKeyVerifier), or else the
 * console's `sb_session` cookie. A locked address is refused with either. A cookie-authenticated request that may
 * change something must carry `x-csrf-token`: a browser attaches cookies to requests other sites start, but only the
 * console's own page can read the token. The key needs no such token.
 */
@Injectable()
export class AdminAuthGuard implements CanActivate {
  constructor(
    private readonly adminKey: AdminKeyVerifier,
    private readonly sessions: SessionService,
  ) {}

  /** Synchronous for the key, so a refusal costs no await; a session cookie is looked up in the store. */
  canActivate(ctx: ExecutionContext): boolean | Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<FastifyRequest>();
    const presented = presentedKey(req);
    const sessionId = presented === undefined ? sessionIdOf(req) : undefined;
    if (sessionId === undefined) {
      this.adminKey.verify(req.ip, presented);
      return true;
    }
    this.adminKey.refuseIfLocked(req.ip);
    return this.checkSession(req, sessionId);
  }

  // A stale cookie is not counted as a failure: a browser keeps sending it after expiry, and 256 random bits cannot be guessed.
  private async checkSession(req: FastifyRequest, sessionId: string): Promise<boolean> {
    const session = await this.sessions.resolve(sessionId);
    if (!session) throw new DomainError('unauthorized', 401, 'The console session has ended; sign in again.');
    if (!SAFE_METHODS.has(req.method) && !csrfTokenMatches(req.headers['x-csrf-token'], session.csrfToken)) {
      throw new DomainError('forbidden', 403, 'Missing or invalid x-csrf-token for a request made with the session cookie.');
    }
    return true;
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
