import { Controller, UseFilters } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { AdminRequest, Subjects } from '@switchboard/contracts';
import { RpcErrorFilter } from '@switchboard/messaging';
import { ChannelAdminService } from './channels/channel-admin.service';
import { RoutingTableService } from './table/routing-table.service';

@Controller()
@UseFilters(RpcErrorFilter)
export class RouterRpcController {
  constructor(
    private readonly table: RoutingTableService,
    private readonly admin: ChannelAdminService,
  ) {}

  @MessagePattern(Subjects.RouterTableGet)
  getTable() {
    return this.table.snapshot();
  }

  @MessagePattern(Subjects.RouterAdmin)
  adminOp(@Payload() payload: unknown) {
    return this.admin.handle(AdminRequest.parse(payload));
  }
}
