import { Controller, Delete, Get, HttpCode, Inject, Logger, Param, Patch, Post, Req, Res, UseGuards } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@switchboard/config';
import { DomainError, type AccountPrincipal, type SignInMethods } from '@switchboard/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AccountGuard } from '../accounts/account.guards';
import { principalOf } from '../accounts/principal';
import { FailureThrottle } from '../auth/failure-throttle';
import type { RawJsonBody } from '../relay/inbound';
import { OidcClient } from './oidc-client';
import { relyingPartyOf } from './relying-party';
import { SessionIssuer } from '../session/session-issuer';
import { SignInDirectory } from './sign-in-directory';

function bodyOf(req: FastifyRequest): unknown {
  const body = req.body as RawJsonBody | undefined;
  if (body && body.parseError !== undefined && body.raw.length > 0) throw new DomainError('invalid_request', 400, `body: ${body.parseError}`);
  return body?.json ?? {};
}

function userIdOf(req: FastifyRequest): number {
  const p = principalOf(req);
  if (p.kind !== 'user') throw new DomainError('forbidden', 403, 'The admin key has no account.');
  return p.id;
}

/**
 * Passkeys (WebAuthn): `GET /api/auth/methods` (what the sign-in page offers), a signed-in user's registration
 * (`POST /api/auth/passkey/register/options` → `…/register/verify`), passwordless sign-in
 * (`POST /api/auth/passkey/login/options` → `…/login/verify`, which sets `sb_session`), and the user's own list under
 * `/api/me/passkeys`. Auth keeps each challenge for 5 minutes and accepts it once.
 */
@Controller()
export class PasskeyController {
  private readonly logger = new Logger(PasskeyController.name);
  // Each options call stores a challenge: bounded per address, like registration.
  private readonly ceremonies = new FailureThrottle({ maxFailures: 30, windowMs: 60_000 });

  constructor(
    private readonly signIn: SignInDirectory,
    private readonly sessions: SessionIssuer,
    private readonly oidc: OidcClient,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('api/auth/methods')
  methods(): SignInMethods {
    return { oidc: this.oidc.enabled ? { name: this.oidc.displayName } : null, passkey: true };
  }

  @Post('api/auth/passkey/register/options')
  @HttpCode(200)
  @UseGuards(AccountGuard)
  registrationOptions(@Req() req: FastifyRequest) {
    this.count(req);
    return this.signIn.call({ op: 'passkey.register.options', userId: userIdOf(req), rp: relyingPartyOf(this.config, req) });
  }

  @Post('api/auth/passkey/register/verify')
  @HttpCode(201)
  @UseGuards(AccountGuard)
  register(@Req() req: FastifyRequest) {
    return this.signIn.call({ op: 'passkey.register.verify', userId: userIdOf(req), rp: relyingPartyOf(this.config, req), body: bodyOf(req) });
  }

  @Post('api/auth/passkey/login/options')
  @HttpCode(200)
  loginOptions(@Req() req: FastifyRequest) {
    this.count(req);
    return this.signIn.call({ op: 'passkey.login.options', rp: relyingPartyOf(this.config, req) });
  }

  @Post('api/auth/passkey/login/verify')
  async login(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const user = await this.signIn.call<AccountPrincipal>({ op: 'passkey.login.verify', rp: relyingPartyOf(this.config, req), body: bodyOf(req) });
    this.logger.log(`console: ${user.name} (#${user.id}, ${user.role}) signed in with a passkey from ${req.ip}`);
    return reply.status(200).send(await this.sessions.issue(req, reply, user));
  }

  @Get('api/me/passkeys')
  @UseGuards(AccountGuard)
  list(@Req() req: FastifyRequest) {
    return this.signIn.call({ op: 'passkey.list', userId: userIdOf(req) });
  }

  @Patch('api/me/passkeys/:id')
  @UseGuards(AccountGuard)
  rename(@Req() req: FastifyRequest, @Param('id') id: string) {
    return this.signIn.call({ op: 'passkey.rename', userId: userIdOf(req), passkeyId: id, body: bodyOf(req) });
  }

  @Delete('api/me/passkeys/:id')
  @UseGuards(AccountGuard)
  remove(@Req() req: FastifyRequest, @Param('id') id: string) {
    return this.signIn.call({ op: 'passkey.delete', userId: userIdOf(req), passkeyId: id });
  }

  private count(req: FastifyRequest): void {
    const wait = this.ceremonies.lockedFor(req.ip);
    if (wait > 0)
      throw new DomainError('too_many_attempts', 429, 'Too many passkey attempts from this address; try again shortly.', { retryAfterSeconds: wait });
    this.ceremonies.fail(req.ip);
  }
}
