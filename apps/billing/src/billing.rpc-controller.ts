import { Controller, UseFilters } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { PaymentsRequest, RedeemRequest, Subjects } from '@switchboard/contracts';
import { AdminDispatcher, RpcErrorFilter } from '@switchboard/messaging';
import { billingAdminHandlers } from './billing-admin.handlers';
import { BalanceService } from './ledger/balance.service';
import { LedgerQueryService } from './ledger/ledger-query.service';
import { StripePaymentsService } from './payments/stripe-payments.service';
import { LedgerReconciler } from './ledger/ledger-reconciler.service';
import { QuotaCounterReconciler } from './ledger/quota-counter-reconciler.service';
import { PriceService } from './prices/price.service';
import { RedemptionService } from './redemptions/redemption.service';

@Controller()
@UseFilters(RpcErrorFilter)
export class BillingRpcController {
  private readonly admin;

  constructor(
    private readonly prices: PriceService,
    balances: BalanceService,
    private readonly redemptions: RedemptionService,
    ledger: LedgerQueryService,
    reconciler: LedgerReconciler,
    quotaCounters: QuotaCounterReconciler,
    private readonly payments: StripePaymentsService,
  ) {
    this.admin = new AdminDispatcher(
      Subjects.BillingAdmin,
      billingAdminHandlers({ prices, balances, redemptions, ledger, reconciler, quotaCounters, payments }),
    );
  }

  @MessagePattern(Subjects.BillingPricesGet)
  getPrices() {
    return this.prices.table();
  }

  /** The gateway has verified the token key; the payload names its user. */
  @MessagePattern(Subjects.BillingRedeem)
  redeem(@Payload() payload: unknown) {
    return this.redemptions.redeem(RedeemRequest.parse(payload));
  }

  /** Stripe top-ups: the gateway names the signed-in user, or hands over a webhook delivery as received. */
  @MessagePattern(Subjects.BillingPayments)
  payment(@Payload() payload: unknown) {
    const req = PaymentsRequest.parse(payload);
    switch (req.op) {
      case 'checkout':
        return this.payments.checkout(req.userId, req.body, req.returnUrl);
      case 'webhook':
        return this.payments.webhook(req.payload, req.signature);
      case 'topups':
        return this.payments.topups(req.userId);
    }
  }

  @MessagePattern(Subjects.BillingAdmin)
  adminOp(@Payload() payload: unknown) {
    return this.admin.dispatch(payload);
  }
}
