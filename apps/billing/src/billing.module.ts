import { Module } from '@nestjs/common';
import { BillingRpcController } from './billing.rpc-controller';
import { BalanceService } from './ledger/balance.service';
import { PriceService } from './prices/price.service';
import { UsageBillingConsumer } from './usage/usage-billing.consumer';

/** Prices, the cost of each request, balances and the ledger. Needs DbModule and MessagingModule. */
@Module({ controllers: [BillingRpcController], providers: [PriceService, BalanceService, UsageBillingConsumer] })
export class BillingModule {}
