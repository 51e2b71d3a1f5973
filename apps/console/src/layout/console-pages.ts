import type { MessageKey } from '../i18n/messages';

/** Every page path of SPEC §8, in navigation order; `pages/page-screens.ts` says which have a screen. */
export const CONSOLE_PAGES = [
  { path: '/dashboard', label: 'nav.dashboard' },
  { path: '/channels', label: 'nav.channels' },
  { path: '/tokens', label: 'nav.tokens' },
  { path: '/users', label: 'nav.users' },
  { path: '/groups', label: 'nav.groups' },
  { path: '/orgs', label: 'nav.orgs' },
  { path: '/prices', label: 'nav.prices' },
  { path: '/aliases', label: 'nav.aliases' },
  { path: '/plugins', label: 'nav.plugins' },
  { path: '/mcp-servers', label: 'nav.mcpServers' },
  { path: '/logs', label: 'nav.logs' },
  { path: '/audit', label: 'nav.audit' },
  { path: '/redemptions', label: 'nav.redemptions' },
  { path: '/settings', label: 'nav.settings' },
  { path: '/playground', label: 'nav.playground' },
] as const satisfies readonly { path: string; label: MessageKey }[];

export type ConsolePath = (typeof CONSOLE_PAGES)[number]['path'];

/** The signed-in user's own account (not for the admin key, which has none); the only page a `user` sees. */
export const ACCOUNT_PAGE = { path: '/account', label: 'nav.account' } as const satisfies { path: string; label: MessageKey };

/** What decides a person's pages: its role and organisation (the session's user; none for the admin key). */
export interface PageViewer {
  role: 'root' | 'admin' | 'user';
  orgId?: number | null;
}

/** An admin of an organisation: the admin API confines it to its org (a root with an org is not confined). */
export const isOrgAdmin = (u: PageViewer | null): boolean => u !== null && u.role === 'admin' && (u.orgId ?? null) !== null;

/** The pages an org admin can use: the admin API answers it 403 everywhere else (the route table's `orgAdmin`). */
export const ORG_ADMIN_PATHS: readonly ConsolePath[] = ['/dashboard', '/tokens', '/users', '/groups', '/mcp-servers', '/logs'];

/**
 * The navigation of `u` (null: the admin key, which acts as root): a `user` sees only its account, an org admin its
 * org's pages, a platform admin everything but organisations (a root's), a root everything.
 */
export function pagesFor(u: PageViewer | null): readonly { path: string; label: MessageKey }[] {
  if (u === null) return CONSOLE_PAGES;
  if (u.role === 'user') return [ACCOUNT_PAGE];
  if (isOrgAdmin(u)) return [...CONSOLE_PAGES.filter((p) => ORG_ADMIN_PATHS.includes(p.path)), ACCOUNT_PAGE];
  return [...(u.role === 'root' ? CONSOLE_PAGES : CONSOLE_PAGES.filter((p) => p.path !== '/orgs')), ACCOUNT_PAGE];
}
