import { Controller, UseFilters } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { AdminRequest, Subjects, notFound } from '@switchboard/contracts';
import { RpcErrorFilter } from '@switchboard/messaging';
import { BalanceService } from './ledger/balance.service';
import { PriceService } from './prices/price.service';

@Controller()
@UseFilters(RpcErrorFilter)
export class BillingRpcController {
  constructor(
    private readonly prices: PriceService,
    private readonly balances: BalanceService,
  ) {}

  @MessagePattern(Subjects.BillingPricesGet)
  getPrices() {
    return this.prices.table();
  }

  @MessagePattern(Subjects.BillingAdmin)
  adminOp(@Payload() payload: unknown) {
    const req = AdminRequest.parse(payload);
    switch (`${req.resource}.${req.op}`) {
      case 'prices.list':
        return this.prices.list();
      case 'prices.put':
        return this.prices.put(req.id, req.body, req.actor);
      case 'users.topup':
        return this.balances.topUp(req.id, req.body, req.actor);
      default:
        throw notFound(`admin operation ${req.resource}.${req.op}`);
    }
  }
}
