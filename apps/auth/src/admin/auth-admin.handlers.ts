import { Subjects, type AdminHandlers } from '@switchboard/contracts';
import { AdminDispatcher } from '@switchboard/messaging';
import { parseInput } from './admin-input.parser';
import type { AuthAdminService } from './auth-admin.service';

/** auth.admin.v1: one handler per users/tokens/groups route of ADMIN_ROUTES (the type fails the build if one is missing). */
export function authAdminHandlers(s: AuthAdminService): AdminHandlers<typeof Subjects.AuthAdmin> {
  return {
    'users.list': (c) => s.listUsers(c.query),
    'users.get': (c) => s.getUser(c.id),
    'users.create': (c) => s.createUser(c.body, c.actor, c.actorRole),
    'users.update': (c) => s.updateUser(c.id, c.body, c.actor, c.actorRole),
    'users.delete': (c) => s.deleteUser(c.id, c.actor, c.actorRole),
    'tokens.list': (c) => s.listTokens(c.query),
    'tokens.get': (c) => s.getToken(c.id),
    'tokens.create': (c) => s.createToken(c.body, c.actor),
    'tokens.update': (c) => s.updateToken(c.id, c.body, c.actor),
    'tokens.delete': (c) => s.deleteToken(c.id, c.actor),
    'groups.list': (c) => s.listGroups(c.query),
    'groups.get': (c) => s.getGroup(c.id),
    'groups.create': (c) => s.createGroup(c.body, c.actor),
    'groups.update': (c) => s.updateGroup(c.id, c.body, c.actor),
  };
}

/** Auth parses with parseInput: every 400 names its field first (`rpm: …`, `foo: unknown field`). */
export const authAdminDispatcher = (s: AuthAdminService) => new AdminDispatcher(Subjects.AuthAdmin, authAdminHandlers(s), parseInput);
