import { DomainError, adminRouteList } from '@switchboard/contracts';
import { ADMIN_KEY_PRINCIPAL, type Principal } from '../accounts/principal';
import { assertRouteAllowed } from './admin-route.access';

const user = (role: 'root' | 'admin', orgId: number | null): Principal => ({ kind: 'user', id: 7, name: 'x', role, sessionEpoch: 0, orgId });
const status = (route: { rootOnly?: true; orgAdmin?: true }, p: Principal) => {
  try {
    return assertRouteAllowed(route, p);
  } catch (e) {
    return e instanceof DomainError ? e.status : e;
  }
};

describe('assertRouteAllowed (who may call an admin route)', () => {
  it('an org admin reaches only orgAdmin routes, confined to its org; everything else is 403', () => {
    expect(status({ orgAdmin: true }, user('admin', 4))).toBe(4);
    expect(status({}, user('admin', 4))).toBe(403);
    expect(status({ rootOnly: true }, user('admin', 4))).toBe(403);
  });

  it('platform admins, roots (even with an org) and the admin key are not confined; rootOnly wants a root or the key', () => {
    expect(status({}, user('admin', null))).toBeNull();
    expect(status({ rootOnly: true }, user('admin', null))).toBe(403);
    expect(status({ rootOnly: true }, user('root', 4))).toBeNull();
    expect(status({ orgAdmin: true }, user('root', 4))).toBeNull();
    expect(status({ rootOnly: true }, ADMIN_KEY_PRINCIPAL)).toBeNull();
  });

  it('the table lets org admins reach users, tokens, groups (not create), MCP servers, logs and stats only, and keeps /api/orgs for roots', () => {
    const routes = adminRouteList();
    expect(
      routes
        .filter((r) => r.orgAdmin)
        .map((r) => r.op)
        .sort(),
    ).toEqual(
      [
        'groups.get',
        'groups.list',
        'groups.update',
        'mcp-servers.create',
        'mcp-servers.delete',
        'mcp-servers.list',
        'mcp-servers.update',
        'logs.get',
        'logs.list',
        'stats.get',
        'tokens.create',
        'tokens.delete',
        'tokens.get',
        'tokens.list',
        'tokens.update',
        'users.create',
        'users.delete',
        'users.get',
        'users.list',
        'users.update',
      ].sort(),
    );
    expect(routes.filter((r) => r.rootOnly).map((r) => r.op)).toEqual(['orgs.list', 'orgs.create', 'orgs.update', 'orgs.delete']);
  });
});
