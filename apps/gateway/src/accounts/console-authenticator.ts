import { Injectable } from '@nestjs/common';
import { DomainError } from '@switchboard/contracts';
import type { FastifyRequest } from 'fastify';
import { AdminKeyVerifier } from '../admin/admin-key.verifier';
import { sessionIdOf } from '../session/session-cookie';
import { SessionService, csrfTokenMatches } from '../session/session.service';
import { AccountDirectory } from './account-directory';
import { ADMIN_KEY_PRINCIPAL, rememberPrincipal, type Principal } from './principal';

/** Methods that change nothing, so a cookie alone may make them (anything else needs the session's CSRF token). */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Who is asking, for every console/admin route: `Authorization: Bearer <ADMIN_KEY>` or `X-Admin-Key` (checked and
 * throttled by AdminKeyVerifier), or else the `sb_session` cookie. A locked address is refused with either. A
 * cookie-authenticated request that may change something must carry `x-csrf-token`: a browser attaches cookies to
 * requests other sites start, but only the console's own page can read the token. The key needs no such token.
 * A user's session is checked against auth on each request, so a disabled user or a changed role counts at once.
 * What each principal may reach is the guards' business (AdminAuthGuard, AccountGuard, SessionGuard).
 */
@Injectable()
export class ConsoleAuthenticator {
  constructor(
    private readonly adminKey: AdminKeyVerifier,
    private readonly sessions: SessionService,
    private readonly accounts: AccountDirectory,
  ) {}

  /** Synchronous for the key, so a refusal costs no await; a session cookie is looked up in the store. */
  authenticate(req: FastifyRequest): Principal | Promise<Principal> {
    const presented = presentedAdminKey(req);
    const sessionId = presented === undefined ? sessionIdOf(req) : undefined;
    if (sessionId === undefined) {
      this.adminKey.verify(req.ip, presented);
      return rememberPrincipal(req, ADMIN_KEY_PRINCIPAL);
    }
    this.adminKey.refuseIfLocked(req.ip);
    return this.fromSession(req, sessionId);
  }

  // A stale cookie is not counted as a failure: a browser keeps sending it after expiry, and 256 random bits cannot be guessed.
  private async fromSession(req: FastifyRequest, sessionId: string): Promise<Principal> {
    const session = await this.sessions.resolve(sessionId);
    if (!session) throw new DomainError('unauthorized', 401, 'The console session has ended; sign in again.');
    if (!SAFE_METHODS.has(req.method) && !csrfTokenMatches(req.headers['x-csrf-token'], session.csrfToken)) {
      throw new DomainError('forbidden', 403, 'Missing or invalid x-csrf-token for a request made with the session cookie.');
    }
    if (session.userId === undefined) return rememberPrincipal(req, ADMIN_KEY_PRINCIPAL);
    const user = await this.accounts.whoami(session.userId);
    if (!user || user.sessionEpoch !== (session.epoch ?? 0)) {
      await this.sessions.revoke(sessionId);
      throw new DomainError('unauthorized', 401, 'The account is gone, disabled or its password changed; the session has ended.');
    }
    return rememberPrincipal(req, { kind: 'user', ...user });
  }
}

/** The admin key a request presents (Bearer or X-Admin-Key), or undefined. */
export function presentedAdminKey(req: Pick<FastifyRequest, 'headers'>): string | undefined {
  const auth = req.headers.authorization;
  if (typeof auth === 'string' && /^bearer\s+/i.test(auth)) {
    const v = auth.replace(/^bearer\s+/i, '').trim();
    if (v) return v;
  }
  const x = req.headers['x-admin-key'];
  return typeof x === 'string' && x ? x : undefined;
}

/** Runs `then` on the principal, synchronously when authentication was (the admin key). */
export function withPrincipal<T>(p: Principal | Promise<Principal>, then: (p: Principal) => T): T | Promise<T> {
  return p instanceof Promise ? p.then(then) : then(p);
}
