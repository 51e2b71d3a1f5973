import { Subjects, type AdminHandlers } from '@switchboard/contracts';
import type { BalanceService } from './ledger/balance.service';
import type { LedgerQueryService } from './ledger/ledger-query.service';
import type { LedgerReconciler } from './ledger/ledger-reconciler.service';
import type { QuotaCounterReconciler } from './ledger/quota-counter-reconciler.service';
import type { StripePaymentsService } from './payments/stripe-payments.service';
import type { PriceService } from './prices/price.service';
import type { RedemptionService } from './redemptions/redemption.service';

export interface BillingAdminServices {
  prices: PriceService;
  balances: BalanceService;
  redemptions: RedemptionService;
  ledger: LedgerQueryService;
  reconciler: LedgerReconciler;
  quotaCounters: QuotaCounterReconciler;
  payments: StripePaymentsService;
}

/** billing.admin.v1: one handler per prices/top-up/redemptions/ledger/payments route of ADMIN_ROUTES. */
export function billingAdminHandlers(s: BillingAdminServices): AdminHandlers<typeof Subjects.BillingAdmin> {
  return {
    'prices.list': () => s.prices.list(),
    'prices.put': (c) => s.prices.put(c.id, c.body, c.actor),
    'prices.delete': (c) => s.prices.remove(c.id, c.actor),
    'users.topup': (c) => s.balances.topUp(c.id, c.body, c.actor),
    'redemptions.create': (c) => s.redemptions.create(c.body, c.actor),
    'redemptions.list': (c) => s.redemptions.list(c.query),
    'ledger.list': (c) => s.ledger.list(c.query),
    'payments.list': (c) => s.payments.list(c.query),
    // Balances against the ledger, and the gateways' quota counters against both (each run now).
    'ledger.reconcile': async () => {
      const [ledger, quotaCounters] = await Promise.all([s.reconciler.report(), s.quotaCounters.reportBody()]);
      return { ...ledger, quotaCounters };
    },
  };
}
