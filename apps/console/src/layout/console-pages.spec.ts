import { CONSOLE_PAGES, isOrgAdmin, pagesFor } from './console-pages';

describe('CONSOLE_PAGES', () => {
  it('lists every page path of SPEC §8, once, in the navigation', () => {
    expect(CONSOLE_PAGES.map((p) => p.path)).toEqual([
      '/dashboard',
      '/channels',
      '/tokens',
      '/users',
      '/groups',
      '/orgs',
      '/prices',
      '/aliases',
      '/plugins',
      '/mcp-servers',
      '/logs',
      '/audit',
      '/redemptions',
      '/settings',
      '/playground',
    ]);
  });

  it('shows each person only the pages it can use: an org admin its org pages, a platform admin all but organisations', () => {
    const paths = (u: Parameters<typeof pagesFor>[0]) => pagesFor(u).map((p) => p.path);
    expect(paths(null)).toEqual(CONSOLE_PAGES.map((p) => p.path));
    expect(paths({ role: 'user', orgId: 3 })).toEqual(['/account']);
    expect(paths({ role: 'admin', orgId: 3 })).toEqual(['/dashboard', '/tokens', '/users', '/groups', '/mcp-servers', '/logs', '/account']);
    expect(paths({ role: 'admin', orgId: null })).toEqual([...CONSOLE_PAGES.map((p) => p.path).filter((p) => p !== '/orgs'), '/account']);
    expect(paths({ role: 'root', orgId: 3 })).toEqual([...CONSOLE_PAGES.map((p) => p.path), '/account']);
    expect([isOrgAdmin({ role: 'admin', orgId: 3 }), isOrgAdmin({ role: 'root', orgId: 3 }), isOrgAdmin({ role: 'admin' }), isOrgAdmin(null)]).toEqual([
      true,
      false,
      false,
      false,
    ]);
  });
});
