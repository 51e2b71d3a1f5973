import { createHash, timingSafeEqual } from 'node:crypto';
import { Body, Controller, Inject, Post, Req, Res } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@switchboard/config';
import { DomainError, Subjects, type RedeemReply } from '@switchboard/contracts';
import { Bus } from '@switchboard/messaging';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { KeyAuthenticator } from '../auth/key-authenticator';
import { readApiKey, type RawJsonBody } from '../relay/inbound';

const RedeemBody = z.object({ code: z.string().trim().min(1, 'required') }).strict();

/**
 * `POST /api/redeem` `{ code }`: a token holder credits a redemption code to the key's own user, once. Authorised by
 * the token key (`Authorization: Bearer sk-…` or any carrier the relay accepts), checked by the relay's KeyAuthenticator; the admin key is
 * refused (401) because an admin has no user to credit — admins use `POST /api/users/:id/topup`.
 */
@Controller('api')
export class RedeemController {
  private readonly adminKeyDigest: Buffer;

  constructor(
    private readonly bus: Bus,
    private readonly auth: KeyAuthenticator,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.adminKeyDigest = createHash('sha256').update(config.ADMIN_KEY).digest();
  }

  @Post('redeem')
  async redeem(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Body() body: RawJsonBody) {
    const key = readApiKey(req);
    if (key && timingSafeEqual(createHash('sha256').update(key).digest(), this.adminKeyDigest)) {
      throw new DomainError('unauthorized', 401, 'The admin key cannot redeem codes: use a token key (admins top up with POST /api/users/:id/topup).');
    }
    // An exhausted key may redeem: that is how it gets quota back.
    const token = await this.auth.authenticate(req, { allowExhausted: true });
    if (!body || body.parseError !== undefined) throw new DomainError('invalid_request', 400, `body: ${body?.parseError ?? 'a JSON object is required'}`);
    const parsed = RedeemBody.safeParse(body.json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue?.path.join('.') || 'body';
      throw new DomainError('invalid_request', 400, `${field}: ${issue?.message ?? 'invalid'}`, { field });
    }
    const out = await this.bus.request<RedeemReply>(Subjects.BillingRedeem, { code: parsed.data.code, userId: token.user.id, tokenId: token.tokenId });
    return reply.status(200).send(out);
  }
}
