import { Controller, Post, Req, Res, UseGuards } from '@nestjs/common';
import { DomainError } from '@switchboard/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AdminAuthGuard } from '../admin/admin-auth.guard';
import { KeyAuthenticator } from '../auth/key-authenticator';
import { inboundCallOf, type RawJsonBody } from '../relay/inbound';
import { RelayService } from '../relay/relay.service';
import { TokenCache } from '../state/token-cache.service';

/** The header naming the token a playground request runs as. */
export const PLAYGROUND_TOKEN_HEADER = 'x-switchboard-token-id';

/**
 * `POST /api/playground/chat/completions`: the console's playground. An admin (session or admin key) sends an OpenAI
 * chat request as one of the tokens, named by id: token keys are stored only as hashes, so the console cannot present
 * the key itself. Everything after authentication is the ordinary relay (the token's limits, quota, allow-lists,
 * routing, billing and request log), so what the playground shows is what a client with that key would get.
 */
@Controller('api/playground')
@UseGuards(AdminAuthGuard)
export class PlaygroundController {
  constructor(
    private readonly relay: RelayService,
    private readonly auth: KeyAuthenticator,
    private readonly tokens: TokenCache,
  ) {}

  @Post('chat/completions')
  async chat(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const raw = req.headers[PLAYGROUND_TOKEN_HEADER];
    const tokenId = typeof raw === 'string' && /^[1-9]\d{0,9}$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(tokenId))
      throw new DomainError('invalid_request', 400, `${PLAYGROUND_TOKEN_HEADER}: a token id (a positive integer) is required`);
    const token = await this.tokens.byId(tokenId);
    if (!token) throw new DomainError('not_found', 404, `token ${tokenId} not found`);
    this.auth.actAs(req, token);
    const call = inboundCallOf('openai-chat', req.body as RawJsonBody | undefined);
    if (call instanceof DomainError) throw call;
    await this.relay.relay(call, req, reply);
  }
}
