import { Injectable } from '@nestjs/common';
import { DomainError, type VerifiedToken } from '@switchboard/contracts';
import { modelListProtocolOf, renderModelList, type WireProtocol } from '@switchboard/protocols';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { KeyAuthenticator } from '../auth/key-authenticator';
import { sendDomainError } from '../edge/error-response';
import { PriceCache } from '../state/price-cache.service';
import { RoutingTableService } from '../state/routing-table.service';
import { newRequestId } from './request-id';

/** GET /v1/models (and /v1beta/models): the models this key may use, in the shape of the client that asks. */
@Injectable()
export class ModelsService {
  constructor(
    private readonly auth: KeyAuthenticator,
    private readonly table: RoutingTableService,
    private readonly prices: PriceCache,
  ) {}

  async list(req: FastifyRequest, reply: FastifyReply, force?: WireProtocol) {
    const requestId = newRequestId();
    const protocol = force ?? modelListProtocolOf(req);
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
    return reply.send(renderModelList(protocol, ids));
  }
}
