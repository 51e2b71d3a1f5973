import { Injectable } from '@nestjs/common';
import { DomainError, type VerifiedToken } from '@switchboard/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { KeyAuthenticator } from '../auth/key-authenticator';
import { sendDomainError } from '../edge/error-response';
import { PriceCache } from '../state/price-cache.service';
import { RoutingTableService } from '../state/routing-table.service';
import { modelsListProtocol } from './inbound';
import { newRequestId } from './request-id';

/** GET /v1/models (and /v1beta/models): the models this key may use, in the shape of the client that asks. */
@Injectable()
export class ModelsService {
  constructor(
    private readonly auth: KeyAuthenticator,
    private readonly table: RoutingTableService,
    private readonly prices: PriceCache,
  ) {}

  async list(req: FastifyRequest, reply: FastifyReply, force?: 'gemini') {
    const requestId = newRequestId();
    const shape = force ?? modelsListProtocol(req);
    const protocol = shape === 'openai' ? 'openai-chat' : shape;
    let token: VerifiedToken;
    try {
      token = await this.auth.authenticate(req, { countRequest: true });
    } catch (e) {
      if (!(e instanceof DomainError)) throw e;
      return sendDomainError(reply, protocol, requestId, e);
    }
    await this.table.ensureLoaded().catch(() => undefined);
    const ids = token.models ?? this.table.modelsFor(token.group.name, await this.prices.models());
    reply.header('x-request-id', requestId);
    if (shape === 'gemini') {
      return reply.send({
        models: ids.map((id) => ({ name: `models/${id}`, displayName: id, supportedGenerationMethods: ['generateContent', 'countTokens'] })),
      });
    }
    if (shape === 'anthropic') {
      const data = ids.map((id) => ({ type: 'model', id, display_name: id, created_at: '2025-01-01T00:00:00Z' }));
      return reply.send({ data, has_more: false, first_id: data[0]?.id ?? null, last_id: data[data.length - 1]?.id ?? null });
    }
    return reply.send({ object: 'list', data: ids.map((id) => ({ id, object: 'model', created: 0, owned_by: 'switchboard' })) });
  }
}
