import { Controller, Get, Logger } from '@nestjs/common';
import { Subjects, type AdminReply, type Subject } from '@switchboard/contracts';
import { Bus } from '@switchboard/messaging';
import { buildOpenApi } from './openapi.document';

const OWNERS: Subject[] = [Subjects.AuthAdmin, Subjects.RouterAdmin, Subjects.BillingAdmin];

/** GET /docs: the OpenAPI document (public, like any API reference); schemas fetched once from their owners. */
@Controller()
export class DocsController {
  private readonly logger = new Logger(DocsController.name);
  private cached: Record<string, unknown> | null = null;

  constructor(private readonly bus: Bus) {}

  @Get(['docs', 'docs/openapi.json'])
  async docs(): Promise<Record<string, unknown>> {
    if (this.cached) return this.cached;
    const schemas: Record<string, unknown> = {};
    let complete = true;
    for (const subject of OWNERS) {
      try {
        const r = await this.bus.request<AdminReply>(subject, { resource: 'docs', op: 'schemas', query: {}, actor: 'docs' }, 2_000);
        if (r.status === 200 && r.body && typeof r.body === 'object') Object.assign(schemas, r.body);
      } catch (e) {
        complete = false;
        this.logger.warn(`no schemas from ${subject}: ${(e as Error).message}`);
      }
    }
    const doc = buildOpenApi(process.env.npm_package_version ?? '0.1.0', schemas);
    if (complete) this.cached = doc;
    return doc;
  }
}
