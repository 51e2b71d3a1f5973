import type { z } from 'zod';
import type { Subjects } from '../subjects';

export type AdminSubject = (typeof Subjects)['AuthAdmin' | 'RouterAdmin' | 'BillingAdmin' | 'LogsAdmin'];
export type AdminHttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A request body schema with the name it is documented under (`#/components/schemas/<name>`). */
export interface NamedSchema<S extends z.ZodType = z.ZodType> {
  name: string;
  schema: S;
}

/**
 * One admin route: the HTTP side (method, path with `:param`s, success status), the bus side (owning subject,
 * `resource.op`) and the zod schemas of what goes in and comes out. The gateway, the services and /docs all read it.
 */
export interface AdminRoute<
  S extends AdminSubject = AdminSubject,
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
  A extends z.ZodType = z.ZodType,
> {
  method: AdminHttpMethod;
  /** under /api, with `:name` parameters (fastify's syntax); at most two, sent on the bus as `id` and `subId` */
  path: string;
  subject: S;
  summary: string;
  /** the HTTP status of a success */
  status: 200 | 201;
  params?: P;
  /** only routes with a query schema forward the query string */
  query?: Q;
  /** only routes with a body read one (an empty body reads as {}) */
  body?: NamedSchema<B>;
  answer: A;
  /**
   * an org admin (an admin whose user has an organisation) may call it, scoped by the owner to its org; every other
   * route answers it 403 (the gateway's admin controller checks, once for all)
   */
  orgAdmin?: true;
  /** only a root or the admin key may call it (a platform or org admin gets 403) */
  rootOnly?: true;
}

export const named = <S extends z.ZodType>(name: string, schema: S): NamedSchema<S> => ({ name, schema });
