import { Controller, UseFilters } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { jsonSchemasOf } from '@switchboard/common';
import { AdminRequest, Subjects, notFound, type AdminReply } from '@switchboard/contracts';
import { RpcErrorFilter } from '@switchboard/messaging';
import { BalanceService, TopUp } from './ledger/balance.service';
import { LedgerQueryService } from './ledger/ledger-query.service';
import { LedgerReconciler } from './ledger/ledger-reconciler.service';
import { QuotaCounterReconciler } from './ledger/quota-counter-reconciler.service';
import { PriceService, PutPrice } from './prices/price.service';
import { CreateRedemptions, RedemptionService } from './redemptions/redemption.service';

@Controller()
@UseFilters(RpcErrorFilter)
export class BillingRpcController {
  constructor(
    private readonly prices: PriceService,
    private readonly balances: BalanceService,
    private readonly redemptions: RedemptionService,
    private readonly ledger: LedgerQueryService,
    private readonly reconciler: LedgerReconciler,
    private readonly quotaCounters: QuotaCounterReconciler,
  ) {}

  @MessagePattern(Subjects.BillingPricesGet)
  getPrices() {
    return this.prices.table();
  }

  /** The gateway has verified the token key; the payload names its user. */
  @MessagePattern(Subjects.BillingRedeem)
  redeem(@Payload() payload: unknown) {
    return this.redemptions.redeem(payload);
  }

  /** Balances against the ledger, and the gateways' quota counters against both (each run now). */
  private async reconciliation() {
    const [ledger, quotaCounters] = await Promise.all([this.reconciler.reportReply(), this.quotaCounters.reportBody()]);
    return { ...ledger, body: { ...(ledger.body as object), quotaCounters } };
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
      case 'redemptions.create':
        return this.redemptions.create(req.body, req.actor);
      case 'redemptions.list':
        return this.redemptions.list(req.query);
      case 'ledger.list':
        return this.ledger.list(req.query);
      case 'ledger.reconcile':
        return this.reconciliation();
      // GET /docs: the request bodies as the validators above define them
      case 'docs.schemas':
        return { status: 200, body: jsonSchemasOf({ TopUp, PutPrice, CreateRedemptions }) } satisfies AdminReply;
      default:
        throw notFound(`admin operation ${req.resource}.${req.op}`);
    }
  }
}
