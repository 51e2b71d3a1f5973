import { Injectable } from '@nestjs/common';
import type { AccountPrincipal } from '@switchboard/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sessionCookie, sessionIdOf } from './session-cookie';
import { SESSION_ABSOLUTE_MS, SessionService } from './session.service';

/** The last step of every sign-in method (admin key, password, OIDC, passkey): a console session as its `sb_session` cookie. */
@Injectable()
export class SessionIssuer {
  constructor(private readonly sessions: SessionService) {}

  /**
   * Sets the cookie on `reply` and answers what the console needs (its CSRF token, the session's end, the user with its
   * organisation, which decides its pages; none for an admin-key session).
   */
  async issue(req: FastifyRequest, reply: FastifyReply, user?: AccountPrincipal) {
    const s = await this.sessions.create(user);
    reply.header('set-cookie', sessionCookie(s.id, SESSION_ABSOLUTE_MS / 1000, req.protocol === 'https')).header('cache-control', 'no-store');
    return {
      csrfToken: s.csrfToken,
      expiresAt: s.expiresAt.toISOString(),
      ...(user ? { user: { id: user.id, name: user.name, role: user.role, orgId: user.orgId ?? null } } : {}),
    };
  }

  /**
   * The caller's session swapped for a new one of `user` (its password just changed, so its epoch rose and every older
   * session, the caller's too, has ended): the person who changed it stays signed in, with a new cookie and CSRF token.
   */
  async reissue(req: FastifyRequest, reply: FastifyReply, user: AccountPrincipal) {
    const old = sessionIdOf(req);
    if (old !== undefined) await this.sessions.revoke(old);
    return this.issue(req, reply, user);
  }
}
