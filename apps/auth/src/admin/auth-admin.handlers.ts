import { Subjects, type AdminHandlers } from '@switchboard/contracts';
import { AdminDispatcher } from '@switchboard/messaging';
import { parseInput } from './admin-input.parser';
import type { OrgAdminService } from '../orgs/org-admin.service';
import type { AuthAdminService } from './auth-admin.service';

/**
 * auth.admin.v1: one handler per orgs/users/tokens/groups route of ADMIN_ROUTES (the type fails the build if one is
 * missing). `actorOrgId` confines an org admin to its organisation's users, tokens and groups.
 */
export function authAdminHandlers(s: AuthAdminService, orgs: OrgAdminService): AdminHandlers<typeof Subjects.AuthAdmin> {
  return {
    'orgs.list': () => orgs.list(),
    'orgs.create': (c) => orgs.create(c.body, c.actor),
    'orgs.update': (c) => orgs.rename(c.id, c.body, c.actor),
    'orgs.delete': (c) => orgs.delete(c.id, c.actor),
    'users.list': (c) => s.listUsers(c.query, c.actorOrgId ?? null),
    'users.get': (c) => s.getUser(c.id, c.actorOrgId ?? null),
    'users.create': (c) => s.createUser(c.body, c.actor, c.actorRole, c.actorOrgId ?? null),
    'users.update': (c) => s.updateUser(c.id, c.body, c.actor, c.actorRole, c.actorOrgId ?? null),
    'users.delete': (c) => s.deleteUser(c.id, c.actor, c.actorRole, c.actorOrgId ?? null),
    'tokens.list': (c) => s.listTokens(c.query, c.actorOrgId ?? null),
    'tokens.get': (c) => s.getToken(c.id, c.actorOrgId ?? null),
    'tokens.create': (c) => s.createToken(c.body, c.actor, c.actorOrgId ?? null),
    'tokens.update': (c) => s.updateToken(c.id, c.body, c.actor, c.actorOrgId ?? null),
    'tokens.delete': (c) => s.deleteToken(c.id, c.actor, c.actorOrgId ?? null),
    'groups.list': (c) => s.listGroups(c.query, c.actorOrgId ?? null),
    'groups.get': (c) => s.getGroup(c.id, c.actorOrgId ?? null),
    'groups.create': (c) => s.createGroup(c.body, c.actor),
    'groups.update': (c) => s.updateGroup(c.id, c.body, c.actor, c.actorOrgId ?? null),
  };
}

/** Auth parses with parseInput: every 400 names its field first (`rpm: …`, `foo: unknown field`). */
export const authAdminDispatcher = (s: AuthAdminService, orgs: OrgAdminService) =>
  new AdminDispatcher(Subjects.AuthAdmin, authAdminHandlers(s, orgs), parseInput);
