import type { MessageKey } from '../i18n/messages';

/** Every page path of SPEC §8, in navigation order; `built` pages have a screen, the others a "later release" panel. */
export const CONSOLE_PAGES = [
  { path: '/dashboard', label: 'nav.dashboard', built: true },
  { path: '/channels', label: 'nav.channels', built: true },
  { path: '/tokens', label: 'nav.tokens', built: false },
  { path: '/users', label: 'nav.users', built: false },
  { path: '/groups', label: 'nav.groups', built: false },
  { path: '/prices', label: 'nav.prices', built: false },
  { path: '/aliases', label: 'nav.aliases', built: false },
  { path: '/logs', label: 'nav.logs', built: false },
  { path: '/audit', label: 'nav.audit', built: false },
  { path: '/redemptions', label: 'nav.redemptions', built: false },
  { path: '/settings', label: 'nav.settings', built: false },
  { path: '/playground', label: 'nav.playground', built: false },
] as const satisfies readonly { path: string; label: MessageKey; built: boolean }[];
