import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { Subjects, UsageStream, type AlertEventInput, type BalanceLowEvent, type UsageRecord } from '@switchboard/contracts';
import { Bus, USAGE_QUEUE, type UsageQueue } from '@switchboard/messaging';
import { tokenScopeKey, userScopeKey, type BilledCharge } from '@switchboard/limits';
import { processMetrics } from '@switchboard/observability';
import { BILLING_SETTINGS, type BillingSettings } from '../config/billing.settings';
import { QuotaCounterReconciler } from '../ledger/quota-counter-reconciler.service';
import { UsageLedgerRepository, type DebitedBalance, type UsageDebit, type UsageLedger } from '../ledger/usage-ledger.repository';

/** A debit that takes a balance from at-or-above the threshold to below it; a balance already below stays quiet. */
export function crossedBelow(b: DebitedBalance, thresholdMicros: bigint): boolean {
  const after = b.balanceAfterMicros;
  return after !== null && after + b.debitMicros >= thresholdMicros && after < thresholdMicros;
}

const usd = (micros: number) => micros / 1e6;

/** The quota counters a debited request was charged on (a token's quota, its user's balance). */
const billedCharge = (d: UsageDebit): BilledCharge => ({
  requestId: d.requestId,
  accounts: d.tokenId === null ? [userScopeKey(d.userId)] : [tokenScopeKey(d.tokenId), userScopeKey(d.userId)],
  costMicros: d.costMicros,
});

/** `balance_low` as an alert (alerts.raised.v1): one per user per dedup window reaches the alert channels. */
export function balanceLowAlert(e: BalanceLowEvent): AlertEventInput {
  return {
    event: 'balance_low',
    subject: `user:${e.userId}`,
    severity: 'warning',
    summary: `User ${e.userId}: balance $${usd(e.balanceMicros).toFixed(2)} fell below $${usd(e.thresholdMicros).toFixed(2)}`,
    details: { userId: e.userId, balanceUsd: usd(e.balanceMicros), thresholdUsd: usd(e.thresholdMicros), requestId: e.requestId },
    occurredAt: e.occurredAt,
  };
}

/**
 * Debits each request's cost from the user's balance and adds it to the token's used quota, exactly once (the
 * repository skips a redelivered record). The queue acknowledges the batch after the commit.
 *
 * A debit that crosses the low-balance threshold emits `billing.balance.low.v1` and a `balance_low` alert once, after the commit. A record the
 * batch cannot bill is dead-lettered by the queue (see commitOrDeadLetter) and the others are billed.
 */
@Injectable()
export class UsageBillingConsumer implements OnApplicationBootstrap {
  private readonly logger = new Logger(UsageBillingConsumer.name);
  private readonly metrics = processMetrics();

  constructor(
    @Inject(UsageLedgerRepository) private readonly ledger: UsageLedger,
    private readonly bus: Bus,
    @Inject(USAGE_QUEUE) private readonly queue: UsageQueue,
    @Inject(BILLING_SETTINGS) private readonly settings: BillingSettings,
    @Inject(QuotaCounterReconciler) private readonly quotaCounters: Pick<QuotaCounterReconciler, 'billed'>,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.queue.consume(
      UsageStream.consumers.billing,
      (records) => this.bill(records),
      (consumer, letters) => this.ledger.storeDeadLetters(consumer, letters),
    );
  }

  async bill(records: UsageRecord[]): Promise<void> {
    const billable = records.filter((r): r is UsageRecord & { userId: number } => r.userId !== null && r.costMicros > 0);
    const processed = this.metrics.usageProcessed;
    if (records.length > billable.length) processed.inc({ consumer: 'billing', result: 'free' }, records.length - billable.length);
    if (!billable.length) return;
    const debits: UsageDebit[] = billable.map((r) => ({ requestId: r.requestId, userId: r.userId, tokenId: r.tokenId, costMicros: r.costMicros }));
    const { inserted, txid, balances, exhaustedKeyHashes } = await this.ledger.debit(debits);
    processed.inc({ consumer: 'billing', result: 'stored' }, inserted.length);
    processed.inc({ consumer: 'billing', result: 'duplicate' }, billable.length - inserted.length);
    // Each stored debit left a settled charge on the gateways' counters of its user and token (see buildQuotaAccounts).
    if (inserted.length) await this.quotaCounters.billed(txid, inserted.map(billedCharge));
    if (exhaustedKeyHashes.length) this.bus.emit(Subjects.AuthChanged, { keyHashes: exhaustedKeyHashes, all: false });
    const threshold = this.settings.lowBalanceThresholdMicros;
    for (const b of balances) {
      if (!crossedBelow(b, threshold)) continue;
      const e: BalanceLowEvent = {
        userId: b.userId,
        balanceMicros: Number(b.balanceAfterMicros),
        thresholdMicros: Number(threshold),
        requestId: b.lastRequestId,
        occurredAt: new Date().toISOString(),
      };
      this.metrics.balanceLowEvents.inc();
      this.logger.warn(`user ${e.userId}: balance ${e.balanceMicros} µ$ fell below the low-balance threshold ${e.thresholdMicros} µ$`);
      this.bus.emit(Subjects.BillingBalanceLow, e);
      this.bus.emit(Subjects.AlertRaised, balanceLowAlert(e));
    }
  }
}
