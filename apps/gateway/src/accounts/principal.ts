import type { AccountPrincipal } from '@switchboard/contracts';
import { actorOf } from '@switchboard/contracts';
import type { FastifyRequest } from 'fastify';

/**
 * Who made a console/admin request: the admin key (in a header, or a console session signed in with it — it acts as
 * root for automation), or a signed-in user with its role as auth knows it now.
 */
export type Principal = { kind: 'adminKey' } | ({ kind: 'user' } & AccountPrincipal);

export const ADMIN_KEY_PRINCIPAL: Principal = { kind: 'adminKey' };

const principals = new WeakMap<object, Principal>();

/** Set by the guards (AdminAuthGuard, AccountGuard, SessionGuard) once the request is authenticated. */
export function rememberPrincipal(req: FastifyRequest, p: Principal): Principal {
  principals.set(req, p);
  return p;
}

export function principalOf(req: FastifyRequest): Principal {
  const p = principals.get(req);
  if (!p) throw new Error('principalOf: the route has no authentication guard');
  return p;
}

/** The audit log's name for the person: `alice (#3)` or `admin key`. */
export const actorName = (p: Principal): string => actorOf(p.kind === 'user' ? p : null);

/**
 * The organisation an admin is confined to: its user's org. null = the whole platform: the admin key, every root
 * (a root is never confined) and platform admins (no org).
 */
export const orgOf = (p: Principal): number | null => (p.kind === 'user' && p.role !== 'root' ? (p.orgId ?? null) : null);

/** The role the owning service checks: the admin key counts as root. */
export const adminRoleOf = (p: Principal): 'root' | 'admin' => (p.kind === 'adminKey' || p.role === 'root' ? 'root' : 'admin');
