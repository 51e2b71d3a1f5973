import type { ComponentType } from 'react';
import type { ConsolePath } from '../layout/console-pages';
import { ChannelsPage } from './channels/channels.page';
import { DashboardPage } from './dashboard/dashboard.page';
import { RedemptionsPage } from './redemptions/redemptions.page';
import { TokensPage } from './tokens/tokens.page';

/** The screen of each page path: one folder under pages/ and one line here. A path without one says "later release". */
export const PAGE_SCREENS: Partial<Record<ConsolePath, ComponentType>> = {
  '/dashboard': DashboardPage,
  '/channels': ChannelsPage,
  '/tokens': TokensPage,
  '/redemptions': RedemptionsPage,
};
