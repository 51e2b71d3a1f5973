import { CONSOLE_PAGES } from './console-pages';

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
});
