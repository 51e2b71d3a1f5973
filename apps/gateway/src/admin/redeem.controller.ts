import { createHash, timingSafeEqual } from 'node:crypto';
import { Body, Controller, Inject, Post, Req, Res } from '@nestjs/common';
import { hashApiKey } from '@switchboard/common';
import { APP_CONFIG, type AppConfig } from '@switchboard/config';
import { DomainError, Subjects, type AdminReply } from '@switchboard/contracts';
import { Bus } from '@switchboard/messaging';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { RawJsonBody } from '../relay/inbound';
import { TokenCache } from '../state/token-cache.service';

const RedeemBody = z.object({ code: z.string().trim().min(1, 'required') }).strict();

const unauthorized = (message: string) => new DomainError('unauthorized', 401, message);

/**
 * `POST /api/redeem` `{ code }`: a token holder credits a redemption code to the key's own user, once. Authorised by
 * the token key (`Authorization: Bearer sk-…`), verified through the same edge cache as the relay; the admin key is
 * refused (401) because an admin has no user to credit — admins use `POST /api/users/:id/topup`.
 */
@Controller('api')
export class RedeemController {
  private readonly adminKeyDigest: Buffer;

  constructor(
    private readonly bus: Bus,
    private readonly tokens: TokenCache,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.adminKeyDigest = createHash('sha256').update(config.ADMIN_KEY).digest();
  }

  @Post('redeem')
  async redeem(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Body() body: RawJsonBody) {
    const auth = req.headers.authorization;
    const key = typeof auth === 'string' && /^bearer\s+/i.test(auth) ? auth.replace(/^bearer\s+/i, '').trim() : '';
    if (!key) throw unauthorized('A token key is required: Authorization: Bearer sk-…');
    if (timingSafeEqual(createHash('sha256').update(key).digest(), this.adminKeyDigest)) {
      throw unauthorized('The admin key cannot redeem codes: use a token key (admins top up with POST /api/users/:id/topup).');
    }
    const token = await this.tokens.get(hashApiKey(key));
    if (!token) throw unauthorized('Invalid token key.');
    const expired = token.status === 'expired' || (token.expiresAt !== null && Date.parse(token.expiresAt) <= Date.now());
    if (token.status === 'disabled' || expired) throw unauthorized(`This token key is ${expired ? 'expired' : 'disabled'}.`);
    if (token.user.status !== 'active') throw unauthorized("This token key's user is disabled.");
    if (!body || body.parseError !== undefined) throw new DomainError('invalid_request', 400, `body: ${body?.parseError ?? 'a JSON object is required'}`);
    const parsed = RedeemBody.safeParse(body.json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue?.path.join('.') || 'body';
      throw new DomainError('invalid_request', 400, `${field}: ${issue?.message ?? 'invalid'}`, { field });
    }
    const out = await this.bus.request<AdminReply>(Subjects.BillingRedeem, { code: parsed.data.code, userId: token.user.id, tokenId: token.tokenId });
    return reply.status(out.status).send(out.body);
  }
}
