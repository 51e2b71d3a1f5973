import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ModelsService } from './models.service';

/**
 * SPEC §4's model lists. The POST routes (every body-model route, Gemini's `{model}:{action}` paths and the token
 * counts) are not here: relay.routes.ts serves them straight from fastify, without Nest's per-request pipeline.
 */
@Controller()
export class ModelsController {
  constructor(private readonly models: ModelsService) {}

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
}
