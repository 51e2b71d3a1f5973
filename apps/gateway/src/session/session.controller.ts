import { SessionIssuer } from './session-issuer';
import { Body, Controller, Delete, Get, HttpCode, Logger, Post, Req, Res, UseGuards } from '@nestjs/common';
import { DomainError, PasswordSignIn, type AccountPrincipal } from '@switchboard/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AccountDirectory } from '../accounts/account-directory';
import { SessionGuard } from '../accounts/account.guards';
import { presentedAdminKey } from '../accounts/console-authenticator';
import { LoginThrottle } from '../accounts/login-throttle';
import { principalOf } from '../accounts/principal';
import { AdminKeyVerifier } from '../admin/admin-key.verifier';
import type { RawJsonBody } from '../relay/inbound';
import { clearedSessionCookie, sessionIdOf } from './session-cookie';
import { SessionService, csrfTokenMatches } from './session.service';

const SignInBody = z.object({ adminKey: z.string().min(1, 'required') }).strict();

function valid<S extends z.ZodType>(schema: S, json: unknown): z.output<S> {
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  const field = parsed.error.issues[0]?.path.join('.') || 'body';
  throw new DomainError('invalid_request', 400, `${field}: ${parsed.error.issues[0]?.message ?? 'invalid'}`, { field });
}

/**
 * The console's sign-in (`POST /api/session` with `{ adminKey }` or `{ username, password, totp? }`), its "am I signed
 * in?" (`GET`, which also hands a reloaded page its CSRF token back and says who is signed in; with the admin key it
 * answers `{ via: 'adminKey' }`) and sign-out (`DELETE`, which deletes the session on the server). Sign-in and sign-out
 * are logged; user actions that change something are audited by the services they reach.
 *
 * Other sign-in methods (passkeys under /api/auth/passkey/…, OIDC at /api/auth/oidc/login) end the same way: once
 * they know the user, `issue()` sets the cookie for them.
 */
@Controller('api/session')
export class SessionController {
  private readonly logger = new Logger(SessionController.name);

  constructor(
    private readonly sessions: SessionService,
    private readonly issuer: SessionIssuer,
    private readonly adminKey: AdminKeyVerifier,
    private readonly accounts: AccountDirectory,
    private readonly throttle: LoginThrottle,
  ) {}

  @Post()
  @HttpCode(200)
  async signIn(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Body() body: RawJsonBody | undefined) {
    if (!body || body.parseError !== undefined) throw new DomainError('invalid_request', 400, `body: ${body?.parseError ?? 'a JSON object is required'}`);
    const json = body.json;
    if (json && typeof json === 'object' && !Array.isArray(json) && !('adminKey' in json)) return this.passwordSignIn(req, reply, json);
    const { adminKey } = valid(SignInBody, json);
    this.adminKey.verify(req.ip, adminKey);
    this.logger.log(`admin console: signed in with the admin key from ${req.ip}`);
    return this.issue(req, reply);
  }

  private async passwordSignIn(req: FastifyRequest, reply: FastifyReply, json: object) {
    const b = valid(PasswordSignIn, json);
    this.throttle.refuseIfLocked(req.ip, b.username);
    let user;
    try {
      user = await this.accounts.login(b.username, b.password, b.totp);
    } catch (e) {
      // A right password without its second factor yet is not a guess; anything else that fails is.
      if (e instanceof DomainError && (e.code === 'invalid_credentials' || e.code === 'invalid_totp')) this.throttle.fail(req.ip, b.username);
      throw e;
    }
    this.throttle.succeed(req.ip, b.username);
    this.logger.log(`console: ${user.name} (#${user.id}, ${user.role}) signed in from ${req.ip}`);
    return this.issue(req, reply, user);
  }

  /** Starts a session (of the admin key, or of `user`) and sets its cookie: the last step of every sign-in method. */
  async issue(req: FastifyRequest, reply: FastifyReply, user?: AccountPrincipal) {
    return reply.status(200).send(await this.issuer.issue(req, reply, user));
  }

  /**
   * How the caller is signed in, like any console route (so a wrong key is throttled): the console's session with its
   * CSRF token, end and user (none for an admin-key session), or the admin key. 401 (from the guard) for neither.
   */
  @Get()
  @UseGuards(SessionGuard)
  async current(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const id = presentedAdminKey(req) === undefined ? sessionIdOf(req) : undefined;
    const s = id === undefined ? null : await this.sessions.resolve(id);
    const p = principalOf(req);
    reply.status(200).header('cache-control', 'no-store');
    if (!s) return reply.send({ via: 'adminKey' });
    const user = p.kind === 'user' ? { user: { id: p.id, name: p.name, role: p.role, orgId: p.orgId ?? null } } : {};
    return reply.send({ via: 'session', csrfToken: s.csrfToken, expiresAt: s.expiresAt.toISOString(), ...user });
  }
  @Delete()
  async signOut(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const id = sessionIdOf(req);
    const s = id === undefined ? null : await this.sessions.resolve(id);
    if (!s) throw new DomainError('unauthorized', 401, 'Not signed in.');
    if (!csrfTokenMatches(req.headers['x-csrf-token'], s.csrfToken)) {
      throw new DomainError('forbidden', 403, 'Missing or invalid x-csrf-token for a request made with the session cookie.');
    }
    await this.sessions.revoke(id!);
    this.logger.log(`console: signed out from ${req.ip}`);
    return reply
      .status(204)
      .header('set-cookie', clearedSessionCookie(req.protocol === 'https'))
      .send();
  }
}
