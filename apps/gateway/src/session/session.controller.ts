import { Body, Controller, Delete, Get, HttpCode, Logger, Post, Req, Res } from '@nestjs/common';
import { DomainError } from '@switchboard/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AdminKeyVerifier } from '../admin/admin-key.verifier';
import type { RawJsonBody } from '../relay/inbound';
import { clearedSessionCookie, sessionCookie, sessionIdOf } from './session-cookie';
import { SESSION_ABSOLUTE_MS, SessionService, csrfTokenMatches } from './session.service';

const SignInBody = z.object({ adminKey: z.string().min(1, 'required') }).strict();

/**
 * The console's sign-in (`POST /api/session { adminKey }`), its "am I signed in?" (`GET`, which also hands a reloaded
 * page its CSRF token back) and sign-out (`DELETE`, which deletes the session on the server). Sign-in and sign-out
 * are logged; the gateway has no database, so they are not audit records.
 */
@Controller('api/session')
export class SessionController {
  private readonly logger = new Logger(SessionController.name);

  constructor(
    private readonly sessions: SessionService,
    private readonly adminKey: AdminKeyVerifier,
  ) {}

  @Post()
  @HttpCode(200)
  async signIn(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Body() body: RawJsonBody | undefined) {
    if (!body || body.parseError !== undefined) throw new DomainError('invalid_request', 400, `body: ${body?.parseError ?? 'a JSON object is required'}`);
    const parsed = SignInBody.safeParse(body.json);
    if (!parsed.success) {
      const field = parsed.error.issues[0]?.path.join('.') || 'body';
      throw new DomainError('invalid_request', 400, `${field}: ${parsed.error.issues[0]?.message ?? 'invalid'}`, { field });
    }
    this.adminKey.verify(req.ip, parsed.data.adminKey);
    const s = await this.sessions.create();
    this.logger.log(`admin console: signed in from ${req.ip}`);
    return reply
      .status(200)
      .header('set-cookie', sessionCookie(s.id, SESSION_ABSOLUTE_MS / 1000, req.protocol === 'https'))
      .header('cache-control', 'no-store')
      .send({ csrfToken: s.csrfToken, expiresAt: s.expiresAt.toISOString() });
  }

  @Get()
  async current(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const id = sessionIdOf(req);
    const s = id === undefined ? null : await this.sessions.resolve(id);
    if (!s) throw new DomainError('unauthorized', 401, 'Not signed in.');
    return reply.status(200).header('cache-control', 'no-store').send({ csrfToken: s.csrfToken, expiresAt: s.expiresAt.toISOString() });
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
    this.logger.log(`admin console: signed out from ${req.ip}`);
    return reply
      .status(204)
      .header('set-cookie', clearedSessionCookie(req.protocol === 'https'))
      .send();
  }
}
