import { Subjects, type AdminHandlers } from '@switchboard/contracts';
import { AdminDispatcher } from '@switchboard/messaging';
import type { ChannelAccountService } from '../accounts/channel-account.service';
import type { AlertChannelService } from '../alerts/alert-channel.service';
import { mcpServerHandlers } from '../mcp/mcp-server.handlers';
import type { McpServerService } from '../mcp/mcp-server.service';
import type { PluginConfigService } from '../plugins/plugin-config.service';
import type { ChannelAdminService } from './channel-admin.service';

/** router.admin.v1: one handler per channels/aliases/plugins/alert-channels/mcp-servers route of ADMIN_ROUTES (the type fails the build if one is missing). */
export function channelAdminHandlers(
  s: ChannelAdminService,
  accounts: ChannelAccountService,
  p: PluginConfigService,
  alerts: AlertChannelService,
  m: McpServerService,
): AdminHandlers<typeof Subjects.RouterAdmin> {
  return {
    'channels.list': (c) => s.list(c.query),
    'channels.get': (c) => s.get(c.id),
    'channels.create': (c) => s.create(c.body, c.actor),
    'channels.update': (c) => s.update(c.id, c.body, c.actor),
    'channels.test': (c) => s.test(c.id, c.body),
    'channels.delete': (c) => s.remove(c.id, c.actor),
    'channels.balance': (c) => accounts.balance(c.id, c.query.refresh),
    'channel-keys.list': (c) => s.listKeys(c.id, c.query.refresh ? (channel) => accounts.refreshChannelAllowances(channel) : undefined),
    'channel-keys.create': (c) => s.addKeys(c.id, c.body, c.actor),
    'channel-keys.update': (c) => s.updateKey(c.id, c.subId, c.body, c.actor),
    'channel-keys.delete': (c) => s.removeKey(c.id, c.subId, c.actor),
    'aliases.list': () => s.listAliases(),
    'aliases.create': (c) => s.createAlias(c.body, c.actor),
    'aliases.update': (c) => s.updateAlias(c.id, c.body, c.actor),
    'aliases.delete': (c) => s.deleteAlias(c.id, c.actor),
    'plugins.list': async () => {
      const data = await p.list();
      return { data, total: data.length };
    },
    'plugins.get': (c) => p.get(c.id),
    'plugins.put': (c) => p.put(c.id, c.body, c.actor),
    'alert-channels.list': () => alerts.list(),
    'alert-channels.create': (c) => alerts.create(c.body, c.actor),
    'alert-channels.update': (c) => alerts.update(c.id, c.body, c.actor),
    'alert-channels.delete': (c) => alerts.remove(c.id, c.actor),
    'alert-channels.rotate': (c) => alerts.rotateSecret(c.id, c.body, c.actor),
    'alert-channels.test': (c) => alerts.test(c.id, c.body),
    ...mcpServerHandlers(m),
  };
}

/** Router bodies fail with the zod error itself, which the RpcErrorFilter renders as `<field>: <message>`. */
export const channelAdminDispatcher = (
  s: ChannelAdminService,
  accounts: ChannelAccountService,
  p: PluginConfigService,
  alerts: AlertChannelService,
  m: McpServerService,
) => new AdminDispatcher(Subjects.RouterAdmin, channelAdminHandlers(s, accounts, p, alerts, m));
