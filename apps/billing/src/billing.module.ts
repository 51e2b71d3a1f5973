import { Module } from '@nestjs/common';
import { BillingRpcController } from './billing.rpc-controller';
import { APP_CONFIG, redisConnectionOptions, type AppConfig } from '@switchboard/config';
import { BILLING_SETTINGS, billingSettingsFrom } from './config/billing.settings';
import { BalanceRepository } from './ledger/balance.repository';
import { BalanceService } from './ledger/balance.service';
import { LedgerQueryService } from './ledger/ledger-query.service';
import { LedgerReconciler } from './ledger/ledger-reconciler.service';
import { LedgerRepository } from './ledger/ledger.repository';
import { QuotaCounterReconciler } from './ledger/quota-counter-reconciler.service';
import { QuotaViewRepository } from './ledger/quota-view.repository';
import { UsageLedgerRepository } from './ledger/usage-ledger.repository';
import { LIMIT_STORE, createLimitStore } from '@switchboard/limits';
import { StripePaymentRepository } from './payments/stripe-payment.repository';
import { StripePaymentsService } from './payments/stripe-payments.service';
import { STRIPE_SETTINGS, stripeSettingsFrom } from './payments/stripe.settings';
import { PriceRepository } from './prices/price.repository';
import { PriceService } from './prices/price.service';
import { RedemptionRepository } from './redemptions/redemption.repository';
import { RedemptionService } from './redemptions/redemption.service';
import { UsageBillingConsumer } from './usage/usage-billing.consumer';

/** Prices, the cost of each request, balances, the ledger and its reconciliation (and the quota counters'), redemption codes, Stripe top-ups. Needs DbModule and MessagingModule. */
@Module({
  controllers: [BillingRpcController],
  providers: [
    { provide: BILLING_SETTINGS, useFactory: (c: AppConfig) => billingSettingsFrom(c), inject: [APP_CONFIG] },
    PriceRepository,
    PriceService,
    BalanceRepository,
    BalanceService,
    RedemptionRepository,
    RedemptionService,
    LedgerRepository,
    LedgerQueryService,
    LedgerReconciler,
    // The gateways' quota counters (Redis in cluster mode; standalone: the same in-memory store as the gateway).
    { provide: LIMIT_STORE, useFactory: (c: AppConfig) => createLimitStore(c.REDIS_URL, redisConnectionOptions(c)), inject: [APP_CONFIG] },
    QuotaViewRepository,
    QuotaCounterReconciler,
    UsageLedgerRepository,
    UsageBillingConsumer,
    // Stripe top-ups: Checkout sessions and their webhook (payments/)
    { provide: STRIPE_SETTINGS, useFactory: (c: AppConfig) => stripeSettingsFrom(c), inject: [APP_CONFIG] },
    StripePaymentRepository,
    StripePaymentsService,
  ],
})
export class BillingModule {}
