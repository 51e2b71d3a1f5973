import { DomainError, type AdminRoute } from '@switchboard/contracts';
import { adminRoleOf, orgOf, type Principal } from '../accounts/principal';

/**
 * Who may call an admin route, decided from the route table once for all: a `rootOnly` route wants a root or the
 * admin key; an org admin reaches only the routes marked `orgAdmin` (the owning service then confines it to its org).
 * Answers the organisation the call is confined to (null = the platform).
 */
export function assertRouteAllowed(route: Pick<AdminRoute, 'rootOnly' | 'orgAdmin'>, p: Principal): number | null {
  if (route.rootOnly && adminRoleOf(p) !== 'root') throw new DomainError('forbidden', 403, 'Only a root may manage organisations.');
  const org = orgOf(p);
  if (org !== null && !route.orgAdmin) throw new DomainError('forbidden', 403, 'An organisation admin cannot use this part of the admin API.');
  return org;
}
