import type { ComponentType } from 'react';
import type { ConsolePath } from '../layout/console-pages';
import { AliasesPage } from './aliases/aliases.page';
import { ChannelsPage } from './channels/channels.page';
import { DashboardPage } from './dashboard/dashboard.page';
import { AuditPage } from './audit/audit.page';
import { GroupsPage } from './groups/groups.page';
import { LogsPage } from './logs/logs.page';
import { PlaygroundPage } from './playground/playground.page';
import { PricesPage } from './prices/prices.page';
import { RedemptionsPage } from './redemptions/redemptions.page';
import { SettingsPage } from './settings/settings.page';
import { TokensPage } from './tokens/tokens.page';
import { UsersPage } from './users/users.page';

/** The screen of each page path: one folder under pages/ and one line here. A path without one says "later release". */
export const PAGE_SCREENS: Partial<Record<ConsolePath, ComponentType>> = {
  '/dashboard': DashboardPage,
  '/channels': ChannelsPage,
  '/settings': SettingsPage,
  '/playground': PlaygroundPage,
  '/users': UsersPage,
  '/groups': GroupsPage,
  '/logs': LogsPage,
  '/audit': AuditPage,
  '/tokens': TokensPage,
  '/redemptions': RedemptionsPage,
  '/prices': PricesPage,
  '/aliases': AliasesPage,
};
