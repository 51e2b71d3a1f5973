import { Controller, Get, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendHtml } from '../console/security-headers';
import { API_REFERENCE_HTML } from './api-reference.routes';
import { buildOpenApi } from './openapi.document';
import { appVersion } from '@switchboard/config';

/**
 * The API reference (public, like any API reference), built once from the route tables: `GET /docs/openapi.json` is
 * the OpenAPI document; `GET /docs` is the interactive page for a browser (`accept: text/html`) and the same document
 * for anything else, as it was before the page existed.
 */
@Controller()
export class DocsController {
  private cached: Record<string, unknown> | null = null;

  @Get('docs/openapi.json')
  docs(): Record<string, unknown> {
    return (this.cached ??= buildOpenApi(appVersion()));
  }

  @Get('docs')
  reference(@Req() req: FastifyRequest, @Res() reply: FastifyReply): FastifyReply {
    if (/\btext\/html\b/.test(req.headers.accept ?? '')) return sendHtml(reply, 200, API_REFERENCE_HTML);
    return reply.status(200).send(this.docs());
  }
}
