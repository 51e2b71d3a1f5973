import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { Subjects, UsageStream, type BalanceLowEvent, type UsageRecord } from '@switchboard/contracts';
import { PrismaService, storeUsageDeadLetters } from '@switchboard/db';
import { Bus, USAGE_QUEUE, type UsageQueue } from '@switchboard/messaging';
import { processMetrics } from '@switchboard/observability';
import { BILLING_SETTINGS, type BillingSettings } from '../config/billing.settings';
import { asLedgerWriter } from '../ledger/ledger-writer';

/**
 * Debits each request's cost from the user's balance and adds it to the token's used quota, exactly once:
 * the ledger's unique (requestId, kind) makes a redelivered record a no-op, and balances only move for rows
 * this transaction inserted. The queue acknowledges the batch after the commit.
 *
 * Rows are locked in id order (users, then tokens) so two billing replicas working on overlapping batches
 * cannot deadlock. A debit that takes a balance from at-or-above the low-balance threshold to below it emits
 * `billing.balance.low.v1` once, after the commit. A record the batch cannot bill is dead-lettered by the queue
 * (see commitOrDeadLetter) and the others are billed.
 */
@Injectable()
export class UsageBillingConsumer implements OnApplicationBootstrap {
  private readonly logger = new Logger(UsageBillingConsumer.name);
  private readonly metrics = processMetrics();

  constructor(
    private readonly prisma: PrismaService,
    private readonly bus: Bus,
    @Inject(USAGE_QUEUE) private readonly queue: UsageQueue,
    @Inject(BILLING_SETTINGS) private readonly settings: BillingSettings,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.queue.consume(
      UsageStream.consumers.billing,
      (records) => this.bill(records),
      (consumer, letters) => storeUsageDeadLetters(this.prisma, consumer, letters),
    );
  }

  async bill(records: UsageRecord[]): Promise<void> {
    const billable = records.filter((r) => r.userId !== null && r.costMicros > 0);
    const processed = this.metrics.usageProcessed;
    if (records.length > billable.length) processed.inc({ consumer: 'billing', result: 'free' }, records.length - billable.length);
    if (!billable.length) return;
    const threshold = this.settings.lowBalanceThresholdMicros;
    const { exhaustedKeys, lowBalances, stored } = await this.prisma.$transaction(async (tx) => {
      await asLedgerWriter(tx);
      // One statement with one parameter (the batch as a JSON array), rather than Prisma's createManyAndReturn, which
      // built and checked every field of every row in JS: the largest CPU cost of billing on standalone's event loop.
      // RETURNING gives the rows this statement inserted, in the batch's order; a duplicate (requestId, kind) is skipped.
      const createdAt = new Date().toISOString(); // as Prisma fills @default(now()): the app's clock, in UTC
      const rows = JSON.stringify(billable.map((r) => ({ userId: r.userId, tokenId: r.tokenId, requestId: r.requestId, amountMicros: -r.costMicros })));
      const inserted = await tx.$queryRaw<{ requestId: string; userId: number; tokenId: number | null; amountMicros: bigint }[]>`
        INSERT INTO ledger_entries ("userId", "tokenId", "requestId", kind, "amountMicros", "createdAt")
        SELECT e."userId", e."tokenId", e."requestId", 'usage', e."amountMicros", ${createdAt}::timestamptz AT TIME ZONE 'UTC'
        FROM json_to_recordset(${rows}::json) AS e("userId" int, "tokenId" int, "requestId" text, "amountMicros" bigint)
        ON CONFLICT DO NOTHING
        RETURNING "requestId", "userId", "tokenId", "amountMicros"`;
      const byUser = new Map<number, { cost: bigint; lastRequestId: string | null }>();
      const byToken = new Map<number, bigint>();
      for (const e of inserted) {
        const u = byUser.get(e.userId) ?? { cost: 0n, lastRequestId: null };
        u.cost -= e.amountMicros;
        u.lastRequestId = e.requestId;
        byUser.set(e.userId, u);
        if (e.tokenId !== null) byToken.set(e.tokenId, (byToken.get(e.tokenId) ?? 0n) - e.amountMicros);
      }
      const low: BalanceLowEvent[] = [];
      for (const [userId, { cost, lastRequestId }] of [...byUser].sort((a, b) => a[0] - b[0])) {
        // Unlimited users (balance NULL) stay NULL: NULL - x is NULL in SQL.
        const rows = await tx.$queryRaw<{ balanceMicros: bigint | null }[]>`
          UPDATE users SET "balanceMicros" = "balanceMicros" - ${cost}, "updatedAt" = now() AT TIME ZONE 'UTC'
          WHERE id = ${userId} RETURNING "balanceMicros"`;
        const after = rows[0]?.balanceMicros;
        if (after === null || after === undefined) continue;
        if (after + cost >= threshold && after < threshold) {
          low.push({
            userId,
            balanceMicros: Number(after),
            thresholdMicros: Number(threshold),
            requestId: lastRequestId,
            occurredAt: new Date().toISOString(),
          });
        }
      }
      const exhausted: string[] = [];
      for (const [tokenId, cost] of [...byToken].sort((a, b) => a[0] - b[0])) {
        const rows = await tx.$queryRaw<{ keyHash: string; status: string }[]>`
          UPDATE tokens SET "usedQuotaMicros" = "usedQuotaMicros" + ${cost},
            status = CASE WHEN "quotaMicros" IS NOT NULL AND "usedQuotaMicros" + ${cost} >= "quotaMicros" AND status = 'active'
                          THEN 'exhausted' ELSE status END,
            "updatedAt" = now() AT TIME ZONE 'UTC'
          WHERE id = ${tokenId} RETURNING "keyHash", status`;
        for (const r of rows) if (r.status === 'exhausted') exhausted.push(r.keyHash);
      }
      return { exhaustedKeys: exhausted, lowBalances: low, stored: inserted.length };
    });
    processed.inc({ consumer: 'billing', result: 'stored' }, stored);
    processed.inc({ consumer: 'billing', result: 'duplicate' }, billable.length - stored);
    if (exhaustedKeys.length) this.bus.emit(Subjects.AuthChanged, { keyHashes: exhaustedKeys, all: false });
    for (const e of lowBalances) {
      this.metrics.balanceLowEvents.inc();
      this.logger.warn(`user ${e.userId}: balance ${e.balanceMicros} µ$ fell below the low-balance threshold ${e.thresholdMicros} µ$`);
      this.bus.emit(Subjects.BillingBalanceLow, e);
    }
  }
}
