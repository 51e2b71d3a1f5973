import { lazy, type ComponentType } from 'react';
import type { ConsolePath } from '../layout/console-pages';

/** A page's screen as its own chunk: the first load fetches only the page opened (the charts only on the dashboard). */
const screen = <K extends string>(load: () => Promise<Record<K, ComponentType>>, name: K) => lazy(() => load().then((m) => ({ default: m[name] })));

/** The screen of each page path: one folder under pages/ and one line here. */
export const PAGE_SCREENS: Record<ConsolePath, ComponentType> = {
  '/dashboard': screen(() => import('./dashboard/dashboard.page'), 'DashboardPage'),
  '/channels': screen(() => import('./channels/channels.page'), 'ChannelsPage'),
  '/tokens': screen(() => import('./tokens/tokens.page'), 'TokensPage'),
  '/users': screen(() => import('./users/users.page'), 'UsersPage'),
  '/groups': screen(() => import('./groups/groups.page'), 'GroupsPage'),
  '/orgs': screen(() => import('./orgs/orgs.page'), 'OrgsPage'),
  '/prices': screen(() => import('./prices/prices.page'), 'PricesPage'),
  '/aliases': screen(() => import('./aliases/aliases.page'), 'AliasesPage'),
  '/plugins': screen(() => import('./plugins/plugins.page'), 'PluginsPage'),
  '/mcp-servers': screen(() => import('./mcp-servers/mcp-servers.page'), 'McpServersPage'),
  '/logs': screen(() => import('./logs/logs.page'), 'LogsPage'),
  '/audit': screen(() => import('./audit/audit.page'), 'AuditPage'),
  '/redemptions': screen(() => import('./redemptions/redemptions.page'), 'RedemptionsPage'),
  '/settings': screen(() => import('./settings/settings.page'), 'SettingsPage'),
  '/playground': screen(() => import('./playground/playground.page'), 'PlaygroundPage'),
};

/** The signed-in user's own account (`/account` and its tabs). */
export const ACCOUNT_SCREEN = screen(() => import('./account/account.page'), 'AccountPage');
