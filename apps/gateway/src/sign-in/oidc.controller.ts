import { Controller, Get, Inject, Logger, Req, Res } from '@nestjs/common';
import { SecretBox } from '@switchboard/common';
import { APP_CONFIG, type AppConfig } from '@switchboard/config';
import { DomainError, type AccountPrincipal } from '@switchboard/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { OidcClient, type PendingLogin } from './oidc-client';
import { SessionIssuer } from '../session/session-issuer';
import { SignInDirectory } from './sign-in-directory';

const PENDING_COOKIE = 'sb_oidc';
const PENDING_PATH = '/api/auth/oidc';

function cookieOf(req: FastifyRequest, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim() || undefined;
  }
  return undefined;
}

/** SameSite=Lax: sent on the provider's top-level redirect back, not on other sites' subrequests. */
const pendingCookie = (value: string, maxAge: number, secure: boolean) =>
  `${PENDING_COOKIE}=${value}; Path=${PENDING_PATH}; Max-Age=${maxAge}; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;

/**
 * `GET /api/auth/oidc/login` sends the browser to the provider (code flow, PKCE, state, nonce); its state, nonce and
 * PKCE verifier travel in a short-lived cookie sealed with SECRET_KEY (so any gateway replica can finish, and only
 * the browser that started may). `GET /api/auth/oidc/callback` checks them, lets auth find or make the user, sets
 * `sb_session` and redirects to the console; a failure redirects to the sign-in page with `?signin_error=<code>`.
 */
@Controller('api/auth/oidc')
export class OidcController {
  private readonly logger = new Logger(OidcController.name);
  private readonly box: SecretBox;

  constructor(
    private readonly oidc: OidcClient,
    private readonly signIn: SignInDirectory,
    private readonly sessions: SessionIssuer,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.box = new SecretBox(config.SECRET_KEY);
  }

  @Get('login')
  async login(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    if (!this.oidc.enabled) throw new DomainError('not_found', 404, 'OpenID Connect sign-in is not configured (OIDC_ISSUER).');
    let started;
    try {
      started = await this.oidc.authorizationUrl();
    } catch (e) {
      this.logger.error(`OIDC: the provider cannot be reached: ${(e as Error).message}`);
      throw new DomainError('service_unavailable', 503, 'The sign-in provider cannot be reached right now; retry shortly.', { retryAfterSeconds: 5 });
    }
    return reply
      .status(302)
      .header('set-cookie', pendingCookie(this.box.encrypt(JSON.stringify(started.pending)), 600, req.protocol === 'https'))
      .header('cache-control', 'no-store')
      .header('location', started.url.href)
      .send();
  }

  @Get('callback')
  async callback(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const secure = req.protocol === 'https';
    // The pending cookie is spent by any callback, good or bad: a state is tried once.
    const fail = (code: string) =>
      reply
        .status(302)
        .header('set-cookie', pendingCookie('', 0, secure))
        .header('cache-control', 'no-store')
        .header('location', `/?signin_error=${encodeURIComponent(code)}`)
        .send();
    if (!this.oidc.enabled) return fail('oidc_not_configured');
    const pending = this.pendingOf(req);
    if (!pending) return fail('oidc_state');
    const query = req.url.includes('?') ? req.url.slice(req.url.indexOf('?')) : '';
    let user: AccountPrincipal;
    try {
      const identity = await this.oidc.complete(query, pending);
      user = await this.signIn.call<AccountPrincipal>({ op: 'oidc.login', identity });
    } catch (e) {
      const code = e instanceof DomainError ? e.code : 'oidc_failed';
      this.logger.warn(`OIDC: sign-in refused from ${req.ip}: ${(e as Error).message}`);
      return fail(code);
    }
    this.logger.log(`console: ${user.name} (#${user.id}, ${user.role}) signed in with OIDC from ${req.ip}`);
    await this.sessions.issue(req, reply, user);
    // Two cookies: the session, and the spent pending one.
    reply.header('set-cookie', [reply.getHeader('set-cookie') as string, pendingCookie('', 0, secure)]);
    return reply.status(302).header('location', '/').send();
  }

  private pendingOf(req: FastifyRequest): PendingLogin | null {
    const sealed = cookieOf(req, PENDING_COOKIE);
    if (!sealed) return null;
    try {
      const p = JSON.parse(this.box.decrypt(decodeURIComponent(sealed))) as PendingLogin;
      return typeof p.state === 'string' && typeof p.verifier === 'string' && typeof p.nonce === 'string' && p.exp > Date.now() ? p : null;
    } catch {
      return null;
    }
  }
}
