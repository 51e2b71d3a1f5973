import { Controller, Delete, Get, HttpCode, Logger, Param, Post, Req, Res, UseGuards } from '@nestjs/common';
import { DomainError, Subjects, type AccountPrincipal, type AccountRequest } from '@switchboard/contracts';
import { Bus } from '@switchboard/messaging';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RawJsonBody } from '../relay/inbound';
import { clearedSessionCookie, sessionIdOf } from '../session/session-cookie';
import { SessionIssuer } from '../session/session-issuer';
import { SessionService } from '../session/session.service';
import { AccountDirectory } from './account-directory';
import { AccountGuard } from './account.guards';
import { LoginThrottle } from './login-throttle';
import { actorName, principalOf } from './principal';

type Log = Record<string, unknown>;

/** How recent a sign-in must be for an account without a password to set its first one (no current password to ask). */
export const RECENT_SIGN_IN_MS = 10 * 60_000;

/**
 * The signed-in user's own account (any role): `GET /api/me`, its tokens, request logs, usage and 2FA. Every call
 * carries the session's user id, never one from the client, so no route here can reach another user's data.
 */
@Controller('api/me')
@UseGuards(AccountGuard)
export class MeController {
  private readonly logger = new Logger(MeController.name);

  constructor(
    private readonly accounts: AccountDirectory,
    private readonly bus: Bus,
    private readonly sessions: SessionService,
    private readonly issuer: SessionIssuer,
    private readonly throttle: LoginThrottle,
  ) {}

  @Get()
  me(@Req() req: FastifyRequest) {
    return this.own(req, 'me');
  }

  @Get('tokens')
  tokens(@Req() req: FastifyRequest) {
    return this.own(req, 'tokens.list');
  }

  @Post('tokens')
  @HttpCode(201)
  createToken(@Req() req: FastifyRequest) {
    return this.own(req, 'tokens.create', { body: bodyOf(req) });
  }

  @Delete('tokens/:id')
  deleteToken(@Req() req: FastifyRequest, @Param('id') id: string) {
    return this.own(req, 'tokens.delete', { tokenId: id });
  }

  /** The user's request logs, newest first (the admin list's filters and cursor; routing details left out). */
  @Get('logs')
  async logs(@Req() req: FastifyRequest) {
    const query = { ...(req.query as Record<string, string>), userId: String(this.userId(req)) };
    const page = await this.bus.request<{ data: Log[]; nextCursor: string | null; total: number }>(Subjects.LogsAdmin, {
      resource: 'logs',
      op: 'list',
      query,
      actor: actorName(principalOf(req)),
    });
    return { ...page, data: page.data.map(({ channelId: _c, upstreamModel: _m, upstreamProtocol: _p, attempts: _a, ...own }) => own) };
  }

  /** The user's spend and tokens per day, model and endpoint over `?days=` (default 7), and its balance. */
  @Get('usage')
  async usage(@Req() req: FastifyRequest) {
    const userId = this.userId(req);
    const days = (req.query as Record<string, string>).days;
    const [stats, me] = await Promise.all([
      this.bus.request<Log>(Subjects.LogsAdmin, {
        resource: 'stats',
        op: 'get',
        query: { ...(days === undefined ? {} : { days }), userId: String(userId) },
        actor: actorName(principalOf(req)),
      }),
      this.accounts.call<{ balance: number | null }>({ op: 'me', userId }),
    ]);
    return {
      balance: me.balance,
      days: stats.days,
      from: stats.from,
      totals: stats.totals,
      byDay: stats.byDay,
      byModel: stats.byModel,
      byEndpoint: stats.byEndpoint,
    };
  }

  /** Starts 2FA: a new secret and its otpauth:// URI (scan it as a QR code); not in force until `enable`. */
  @Post('2fa/setup')
  @HttpCode(200)
  setup(@Req() req: FastifyRequest) {
    return this.own(req, '2fa.setup');
  }

  /** `{ code }` from the authenticator turns 2FA on; the answer holds the backup codes, shown this once. */
  @Post('2fa/enable')
  @HttpCode(200)
  enable(@Req() req: FastifyRequest) {
    return this.own(req, '2fa.enable', { body: bodyOf(req) });
  }

  @Post('2fa/disable')
  @HttpCode(200)
  disable(@Req() req: FastifyRequest) {
    return this.own(req, '2fa.disable', { body: bodyOf(req) });
  }

  /** `{ code }`: new backup codes replace the old ones (shown this once). */
  @Post('2fa/backup-codes')
  @HttpCode(200)
  backupCodes(@Req() req: FastifyRequest) {
    return this.own(req, '2fa.backup-codes', { body: bodyOf(req) });
  }

  /**
   * `{ currentPassword, newPassword, totp? }`: a new password (auth checks the current one, the 2FA code and the policy,
   * raises the epoch and audits it). Wrong passwords and codes count as failed sign-ins of this user (the same lock).
   * Every other session of the user ends; the caller's is replaced by a new one, answered like a sign-in.
   */
  @Post('password')
  async changePassword(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const p = principalOf(req);
    const userId = this.userId(req);
    const name = p.kind === 'user' ? p.name : '';
    this.throttle.refuseIfLocked(req.ip, name);
    const id = sessionIdOf(req);
    const session = id === undefined ? null : await this.sessions.resolve(id);
    const recentSignIn = session !== null && this.sessions.signedInWithin(session, RECENT_SIGN_IN_MS);
    let user: AccountPrincipal;
    try {
      user = await this.accounts.call<AccountPrincipal>({ op: 'password.change', userId, body: bodyOf(req), recentSignIn });
    } catch (e) {
      if (e instanceof DomainError && (e.code === 'invalid_credentials' || e.code === 'invalid_totp')) this.throttle.fail(req.ip, name);
      throw e;
    }
    this.logger.log(`console: ${user.name} (#${user.id}) changed its password from ${req.ip}; its other sessions ended`);
    return reply.status(200).send(await this.issuer.reissue(req, reply, user));
  }

  /** "Sign out everywhere": every session of the user ends, this one too (its cookie is cleared). */
  @Post('sessions/revoke')
  async revokeSessions(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const userId = this.userId(req);
    await this.accounts.call({ op: 'sessions.revoke', userId });
    const id = sessionIdOf(req);
    if (id !== undefined) await this.sessions.revoke(id);
    this.logger.log(`console: user #${userId} signed out everywhere from ${req.ip}`);
    return reply
      .status(200)
      .header('set-cookie', clearedSessionCookie(req.protocol === 'https'))
      .header('cache-control', 'no-store')
      .send({ revoked: true });
  }

  private userId(req: FastifyRequest): number {
    const p = principalOf(req);
    if (p.kind !== 'user') throw new DomainError('forbidden', 403, 'The admin key has no account.');
    return p.id;
  }

  private own(req: FastifyRequest, op: AccountRequest['op'], extra: Record<string, unknown> = {}) {
    return this.accounts.call({ op, userId: this.userId(req), ...extra } as AccountRequest);
  }
}

/** An empty body reads as {}; anything else must be valid JSON. */
function bodyOf(req: FastifyRequest): unknown {
  const body = req.body as RawJsonBody | undefined;
  if (body && body.parseError !== undefined && body.raw.length > 0) throw new DomainError('invalid_request', 400, `body: ${body.parseError}`);
  return body?.json ?? {};
}
