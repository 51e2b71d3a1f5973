import type { PluginConfigService } from '../plugins/plugin-config.service';
import type { ChannelAccountService } from '../accounts/channel-account.service';
import type { AlertChannelService } from '../alerts/alert-channel.service';
import type { ChannelAdminService } from './channel-admin.service';
import type { McpServerService } from '../mcp/mcp-server.service';
import { channelAdminDispatcher } from './channel-admin.handlers';

describe('channelAdminHandlers (router.admin.v1)', () => {
  it('has exactly one handler for each route of ADMIN_ROUTES the subject owns (the dispatcher checks at construction)', () => {
    expect(() =>
      channelAdminDispatcher(
        {} as ChannelAdminService,
        {} as ChannelAccountService,
        {} as PluginConfigService,
        {} as AlertChannelService,
        {} as McpServerService,
      ),
    ).not.toThrow();
  });
});
