import { Injectable } from '@nestjs/common';
import { DomainError, type VerifiedToken } from '@switchboard/contracts';
import { modelListProtocolOf, renderModel, renderModelList, type WireProtocol } from '@switchboard/protocols';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { KeyAuthenticator } from '../auth/key-authenticator';
import { sendDomainError } from '../edge/error-response';
import { PriceCache } from '../state/price-cache.service';
import { RoutingTableService } from '../state/routing-table.service';
import { RelayErrors } from './relay.errors';
import { newRequestId } from './request-id';

/** GET /v1/models (and /v1beta/models), and one of them: the models this key may use, in the shape of the client that asks. */
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

  /**
   * GET /v1/models/{id} (and /v1beta/models/{name}): the model when the key may use it (its allow-list) and a channel of
   * its group serves it, or an alias whose targets one does; else 404 in the caller's shape. A model the key may not use
   * is the same 404 as an unknown one (OpenAI's answer: the key learns nothing of what it cannot use).
   */
  async retrieve(req: FastifyRequest, reply: FastifyReply, rawId: string, force?: WireProtocol) {
    const requestId = newRequestId();
    const protocol = force ?? modelListProtocolOf(req);
    try {
      const token = await this.auth.authenticate(req, { countRequest: true });
      await this.table.ensureLoaded().catch(() => undefined);
      // Gemini names models `models/{id}`; SDKs send either form.
      const id = rawId.startsWith('models/') ? rawId.slice('models/'.length) : rawId;
      if (!id || (token.models && !token.models.includes(id)) || !this.served(id, token.group.name)) throw RelayErrors.modelNotFound(id);
      reply.header('x-request-id', requestId);
      return reply.send(renderModel(protocol, id));
    } catch (e) {
      if (!(e instanceof DomainError)) throw e;
      return sendDomainError(reply, protocol, requestId, e);
    }
  }

  private served(model: string, group: string): boolean {
    if (this.table.channelsFor(model, group).length > 0) return true;
    const alias = this.table.alias(model);
    return !!alias && [...alias.targets.map((t) => t.model), ...alias.fallbacks].some((m) => this.table.channelsFor(m, group).length > 0);
  }
}
