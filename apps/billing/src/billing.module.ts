import { Module } from '@nestjs/common';
import { BillingRpcController } from './billing.rpc-controller';
import { APP_CONFIG, type AppConfig } from '@switchboard/config';
import { BILLING_SETTINGS, billingSettingsFrom } from './config/billing.settings';
import { BalanceService } from './ledger/balance.service';
import { LedgerQueryService } from './ledger/ledger-query.service';
import { LedgerReconciler } from './ledger/ledger-reconciler.service';
import { PriceService } from './prices/price.service';
import { RedemptionService } from './redemptions/redemption.service';
import { UsageBillingConsumer } from './usage/usage-billing.consumer';

/** Prices, the cost of each request, balances, the ledger and its reconciliation, redemption codes. Needs DbModule and MessagingModule. */
@Module({
  controllers: [BillingRpcController],
  providers: [
    { provide: BILLING_SETTINGS, useFactory: (c: AppConfig) => billingSettingsFrom(c), inject: [APP_CONFIG] },
    PriceService,
    BalanceService,
    RedemptionService,
    LedgerQueryService,
    LedgerReconciler,
    UsageBillingConsumer,
  ],
})
export class BillingModule {}
