import type { ComponentType } from 'react';
import type { ConsolePath } from '../layout/console-pages';
import { AliasesPage } from './aliases/aliases.page';
import { ChannelsPage } from './channels/channels.page';
import { DashboardPage } from './dashboard/dashboard.page';
import { PricesPage } from './prices/prices.page';

/** The screen of each page path: one folder under pages/ and one line here. A path without one says "later release". */
export const PAGE_SCREENS: Partial<Record<ConsolePath, ComponentType>> = {
  '/dashboard': DashboardPage,
  '/channels': ChannelsPage,
  '/prices': PricesPage,
  '/aliases': AliasesPage,
};
