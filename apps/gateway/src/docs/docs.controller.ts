import { Controller, Get } from '@nestjs/common';
import { buildOpenApi } from './openapi.document';

/** GET /docs: the OpenAPI document (public, like any API reference), built once from the route tables. */
@Controller()
export class DocsController {
  private cached: Record<string, unknown> | null = null;

  @Get(['docs', 'docs/openapi.json'])
  docs(): Record<string, unknown> {
    return (this.cached ??= buildOpenApi(process.env.npm_package_version ?? '0.1.0'));
  }
}
