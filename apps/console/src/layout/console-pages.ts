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
