import {
  ADMIN_ROUTES,
  AdminRequest,
  adminRouteList,
  notFound,
  type AdminHandlers,
  type AdminOp,
  type AdminRoute,
  type AdminSubject,
} from '@switchboard/contracts';
import type { z } from 'zod';

/** How a service turns a zod failure into its 400 (auth names the field first; the default lets the RpcErrorFilter do it). */
export type AdminInputParser = <S extends z.ZodType>(schema: S, input: unknown) => z.output<S>;

const zodParse: AdminInputParser = (schema, input) => schema.parse(input);

type AnyHandler = (call: {
  id: string | undefined;
  subId: string | undefined;
  query: unknown;
  body: unknown;
  actor: string;
  actorRole?: 'root' | 'admin';
  actorOrgId?: number | null;
}) => Promise<unknown>;

/**
 * A service's admin subject: finds the route of `resource.op` in ADMIN_ROUTES, parses the query and body with the
 * route's schemas, and calls the one handler for it. An operation that is not in the table, belongs to another
 * subject or has no handler is a not-found domain error. Answers the handler's domain result (the gateway picks the
 * HTTP status from the table). The handler map must cover exactly the subject's routes: a service that lacks one (or
 * has one the table does not list) fails at start, not on the first call.
 */
export class AdminDispatcher<S extends AdminSubject> {
  constructor(
    private readonly subject: S,
    private readonly handlers: AdminHandlers<S>,
    private readonly parse: AdminInputParser = zodParse,
  ) {
    const owned = adminRouteList()
      .filter((r) => r.subject === subject)
      .map((r) => r.op);
    const given = Object.keys(handlers);
    const missing = owned.filter((op) => !given.includes(op) || typeof (handlers as Record<string, unknown>)[op] !== 'function');
    const extra = given.filter((op) => !owned.includes(op as AdminOp));
    if (missing.length || extra.length)
      throw new Error(`${subject} admin handlers do not match ADMIN_ROUTES: missing [${missing.join(', ')}], not in the table [${extra.join(', ')}]`);
  }

  async dispatch(payload: unknown): Promise<unknown> {
    const req = AdminRequest.parse(payload);
    const op = `${req.resource}.${req.op}`;
    const route: AdminRoute | undefined = Object.hasOwn(ADMIN_ROUTES, op) ? ADMIN_ROUTES[op as AdminOp] : undefined;
    const handler = route?.subject === this.subject ? ((this.handlers as unknown as Record<string, AnyHandler | undefined>)[op] ?? undefined) : undefined;
    if (!route || !handler) throw notFound(`admin operation ${op}`);
    // Parsed before the handler reads or writes anything, so a rejected request leaves nothing behind.
    const query = route.query ? this.parse(route.query, req.query) : {};
    const body = route.body ? this.parse(route.body.schema, req.body) : {};
    const second = route.params && (route.path.match(/:/g) ?? []).length > 1;
    return handler({
      id: route.params ? (req.id ?? '') : undefined,
      subId: second ? (req.subId ?? '') : undefined,
      query,
      body,
      actor: req.actor,
      actorRole: req.actorRole,
      actorOrgId: req.actorOrgId,
    });
  }
}
