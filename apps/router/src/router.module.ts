import { Module } from '@nestjs/common';
import { ChannelAdminService } from './channels/channel-admin.service';
import { RouterRpcController } from './router.rpc-controller';
import { RoutingTableService } from './table/routing-table.service';

/** Channels, keys, aliases; the routing table gateways select from. Needs DbModule and MessagingModule. */
@Module({ controllers: [RouterRpcController], providers: [RoutingTableService, ChannelAdminService] })
export class RouterModule {}
