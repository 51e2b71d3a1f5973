import { Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import type { DomainError } from '@switchboard/contracts';
import type { WireProtocol } from '@switchboard/protocols';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { parseGeminiTarget, type InboundCall, type RawJsonBody } from './inbound';
import { ModelsService } from './models.service';
import { RelayErrors } from './relay.errors';
import { RelayService } from './relay.service';
import { newRequestId } from './request-id';
import { TokenCountService } from './token-count.service';

const GEMINI_GENERATE = new Set(['generateContent', 'streamGenerateContent']);
const GEMINI_EMBED = new Set(['embedContent', 'batchEmbedContents']);

/** SPEC §4 relay endpoints. Each turns the HTTP request into an InboundCall; RelayService does the rest. */
@Controller()
export class RelayController {
  constructor(
    private readonly relay: RelayService,
    private readonly models: ModelsService,
    private readonly counter: TokenCountService,
  ) {}

  @Post('v1/chat/completions')
  chat(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.handle('openai-chat', req, reply);
  }

  @Post('v1/responses')
  responses(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.handle('openai-responses', req, reply);
  }

  @Post('v1/embeddings')
  embeddings(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.handle('openai-embeddings', req, reply);
  }

  @Post('v1/messages')
  messages(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.handle('anthropic', req, reply);
  }

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

  private gemini(rest: string, req: FastifyRequest, reply: FastifyReply) {
    const target = parseGeminiTarget(rest);
    if (target?.action === 'countTokens') return this.counter.count('gemini', req, reply);
    if (!target || !(GEMINI_GENERATE.has(target.action) || GEMINI_EMBED.has(target.action))) {
      return this.reject(reply, 'gemini', RelayErrors.unknownMethod(rest));
    }
    return this.handle('gemini', req, reply, target);
  }

  private handle(protocol: WireProtocol, req: FastifyRequest, reply: FastifyReply, gemini?: { model: string; action: string }) {
    const body = req.body as RawJsonBody | undefined;
    if (!body || body.parseError !== undefined || !body.json || typeof body.json !== 'object' || Array.isArray(body.json)) {
      const why = body?.parseError ?? 'The request body must be a JSON object.';
      return this.reject(reply, protocol, RelayErrors.malformed(why));
    }
    const json = body.json as Record<string, unknown>;
    const call: InboundCall = gemini
      ? {
          protocol,
          operation: GEMINI_EMBED.has(gemini.action) ? 'embed' : 'generate',
          model: gemini.model,
          stream: gemini.action === 'streamGenerateContent',
          geminiAction: gemini.action,
          body: json,
          raw: body.raw,
        }
      : {
          protocol,
          operation: protocol === 'openai-embeddings' ? 'embed' : 'generate',
          model: typeof json.model === 'string' ? json.model : '',
          stream: json.stream === true,
          body: json,
          raw: body.raw,
        };
    return this.relay.relay(call, req, reply);
  }

  private reject(reply: FastifyReply, protocol: WireProtocol, e: DomainError) {
    return this.relay.sendError(reply, protocol, newRequestId(), e);
  }
}
