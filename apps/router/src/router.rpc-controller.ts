import { Controller, UseFilters } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { Subjects } from '@switchboard/contracts';
import { RpcErrorFilter } from '@switchboard/messaging';
import { ChannelAccountService } from './accounts/channel-account.service';
import { AlertChannelService } from './alerts';
import { channelAdminDispatcher } from './channels/channel-admin.handlers';
import { ChannelAdminService } from './channels/channel-admin.service';
import { McpServerService } from './mcp/mcp-server.service';
import { PluginConfigService } from './plugins/plugin-config.service';
import { RoutingTableService } from './table/routing-table.service';

@Controller()
@UseFilters(RpcErrorFilter)
export class RouterRpcController {
  private readonly admin;

  constructor(
    private readonly table: RoutingTableService,
    admin: ChannelAdminService,
    plugins: PluginConfigService,
    accounts: ChannelAccountService,
    alerts: AlertChannelService,
    mcp: McpServerService,
  ) {
    this.admin = channelAdminDispatcher(admin, accounts, plugins, alerts, mcp);
  }

  @MessagePattern(Subjects.RouterTableGet)
  getTable() {
    return this.table.snapshot();
  }

  @MessagePattern(Subjects.RouterAdmin)
  adminOp(@Payload() payload: unknown) {
    return this.admin.dispatch(payload);
  }
}
