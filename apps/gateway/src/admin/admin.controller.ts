import { Controller, Get, HttpCode, Inject, UseGuards } from '@nestjs/common';
import { APP_CONFIG, appVersion, type AppConfig } from '@switchboard/config';
import { DomainError, adminRouteList } from '@switchboard/contracts';
import { Bus } from '@switchboard/messaging';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RawJsonBody } from '../relay/inbound';
import { actorName, adminRoleOf, principalOf } from '../accounts/principal';
import { assertRouteAllowed } from './admin-route.access';
import { AdminAuthGuard } from './admin-auth.guard';
import { bindAdminRoutes, pathParamsOf, type AdminRouteEntry, type AdminRouteTarget } from './admin-route.binder';

/**
 * SPEC §5 admin API: one route per entry of ADMIN_ROUTES (libs/contracts), bound below. Thin: each request is
 * forwarded to the service that owns the resource, which validates, writes, audits and answers its domain result
 * (or a DomainError, rendered by EdgeErrorFilter); the success status is the route's.
 */
@Controller()
@UseGuards(AdminAuthGuard)
export class AdminController implements AdminRouteTarget {
  constructor(private readonly bus: Bus) {}

  async forward(route: AdminRouteEntry, req: FastifyRequest, reply: FastifyReply): Promise<unknown> {
    const principal = principalOf(req);
    const actorOrgId = assertRouteAllowed(route, principal);
    const [param, subParam] = pathParamsOf(route.path);
    const params = req.params as Record<string, string>;
    const id = param ? params[param] : undefined;
    const subId = subParam ? params[subParam] : undefined;
    const answer = await this.bus.request<unknown>(route.subject, {
      resource: route.op.slice(0, route.op.indexOf('.')),
      op: route.op.slice(route.op.indexOf('.') + 1),
      id,
      subId,
      body: route.body ? bodyOf(req.body as RawJsonBody | undefined) : {},
      query: route.query ? (req.query as Record<string, string>) : {},
      actor: actorName(principal),
      actorRole: adminRoleOf(principal),
      actorOrgId,
    });
    return reply.status(route.status).send(answer);
  }
}

bindAdminRoutes(AdminController, adminRouteList());

/** An empty body reads as {} (e.g. POST /api/channels/:id/test); anything else must be valid JSON. */
function bodyOf(body: RawJsonBody | undefined): unknown {
  if (body && body.parseError !== undefined && body.raw.length > 0) throw new DomainError('invalid_request', 400, `body: ${body.parseError}`);
  return body?.json ?? {};
}

/** Public: `GET /api/status`. */
@Controller('api')
export class StatusController {
  private readonly startedAt = Date.now();
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  @Get('status')
  @HttpCode(200)
  status() {
    return { version: appVersion(), uptimeSeconds: Math.round((Date.now() - this.startedAt) / 1000), mode: this.config.mode };
  }
}
