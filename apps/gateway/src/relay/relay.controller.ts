import { Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import { DomainError } from '@switchboard/contracts';
import { protocolDescriptor, type WireProtocol } from '@switchboard/protocols';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { inboundCallOf, type RawJsonBody } from './inbound';
import { ModelsService } from './models.service';
import { RelayErrors } from './relay.errors';
import { RelayService } from './relay.service';
import { newRequestId } from './request-id';
import { TokenCountService } from './token-count.service';

/**
 * SPEC §4 relay endpoints. Each turns the HTTP request into an InboundCall; RelayService does the rest. The four hot
 * POST routes (chat completions, responses, embeddings, messages) are not here: relay.routes.ts serves them straight
 * from fastify, without Nest's per-request pipeline.
 */
@Controller()
export class RelayController {
  constructor(
    private readonly relay: RelayService,
    private readonly models: ModelsService,
    private readonly counter: TokenCountService,
  ) {}

  @Post('v1/messages/count_tokens')
  countTokens(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.counter.count('anthropic', req, reply);
  }

  @Post('v1beta/models/*')
  geminiBeta(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Param('*') rest: string) {
    return this.gemini(rest, req, reply);
  }

  @Post('v1/models/*')
  geminiV1(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Param('*') rest: string) {
    return this.gemini(rest, req, reply);
  }

  @Get('v1/models')
  listModels(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.models.list(req, reply);
  }

  @Get('v1beta/models')
  listGeminiModels(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.models.list(req, reply, 'gemini');
  }

  /** One model (`client.models.retrieve`); GET only, so the Gemini `{model}:{action}` POSTs under /v1/models stay theirs. */
  @Get('v1/models/*')
  getModel(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Param('*') id: string) {
    return this.models.retrieve(req, reply, id);
  }

  @Get('v1beta/models/*')
  getGeminiModel(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Param('*') name: string) {
    return this.models.retrieve(req, reply, name, 'gemini');
  }

  /** A path-model call (`{model}:{action}`): the protocol's descriptor says what each action does. */
  private gemini(rest: string, req: FastifyRequest, reply: FastifyReply) {
    const protocol = protocolDescriptor('gemini');
    const target = protocol.parsePathTarget?.(rest) ?? null;
    const does = target && Object.hasOwn(protocol.actions, target.action) ? protocol.actions[target.action] : undefined;
    if (!target || !does) return this.reject(reply, protocol.name, RelayErrors.unknownMethod(rest));
    if (does.kind === 'countTokens') return this.counter.count(protocol.name, req, reply, target.model);
    const call = inboundCallOf(protocol.name, req.body as RawJsonBody | undefined, { ...target, does });
    if (call instanceof DomainError) return this.reject(reply, protocol.name, call);
    return this.relay.relay(call, req, reply);
  }

  private reject(reply: FastifyReply, protocol: WireProtocol, e: DomainError) {
    return this.relay.sendError(reply, protocol, newRequestId(), e);
  }
}
