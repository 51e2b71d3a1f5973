import { Req, RequestMapping, RequestMethod, Res, type Type } from '@nestjs/common';
import type { AdminOp, AdminRoute } from '@switchboard/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';

export type AdminRouteEntry = AdminRoute & { op: AdminOp };

/** What a controller does with a request to one of the table's routes. */
export interface AdminRouteTarget {
  forward(route: AdminRouteEntry, req: FastifyRequest, reply: FastifyReply): Promise<unknown>;
}

/**
 * Gives `controller` one Nest route per table entry, as a decorated method would (`@Get(path) m(@Req() req,
 * @Res() reply)`), so the controller's guards, the global filter and interceptors apply to each exactly as before.
 * The method is named after the route's `resource.op`.
 */
export function bindAdminRoutes(controller: Type<AdminRouteTarget>, routes: readonly AdminRouteEntry[]): void {
  const proto = controller.prototype as Record<string, unknown>;
  for (const route of routes) {
    const name = route.op;
    if (Object.hasOwn(proto, name)) throw new Error(`admin route ${name} is bound twice`);
    Object.defineProperty(proto, name, {
      value: function forwardRoute(this: AdminRouteTarget, req: FastifyRequest, reply: FastifyReply) {
        return this.forward(route, req, reply);
      },
      writable: true,
      configurable: true,
    });
    const descriptor = Object.getOwnPropertyDescriptor(proto, name)!;
    RequestMapping({ path: route.path, method: RequestMethod[route.method] })(proto, name, descriptor);
    Req()(proto, name, 0);
    Res()(proto, name, 1);
  }
}

/** The names of a route's path parameters in order (`/:id/keys/:keyId` → `['id', 'keyId']`). */
export const pathParamsOf = (path: string): string[] => [...path.matchAll(/:(\w+)/g)].map((m) => m[1]);
