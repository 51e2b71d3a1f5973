import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { Subjects, UsageStream, type UsageRecord } from '@switchboard/contracts';
import { PrismaService } from '@switchboard/db';
import { Bus, USAGE_QUEUE, type UsageQueue } from '@switchboard/messaging';
import { processMetrics } from '@switchboard/observability';

/**
 * Debits each request's cost from the user's balance and adds it to the token's used quota, exactly once:
 * the ledger's unique (requestId, kind) makes a redelivered record a no-op, and balances only move for rows
 * this transaction inserted. The queue acknowledges the batch after the commit.
 */
@Injectable()
export class UsageBillingConsumer implements OnApplicationBootstrap {
  private readonly logger = new Logger(UsageBillingConsumer.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly bus: Bus,
    @Inject(USAGE_QUEUE) private readonly queue: UsageQueue,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.queue.consume(UsageStream.consumers.billing, (records) => this.bill(records));
  }

  async bill(records: UsageRecord[]): Promise<void> {
    const billable = records.filter((r) => r.userId !== null && r.costMicros > 0);
    const metrics = processMetrics().usageProcessed;
    if (!billable.length) {
      metrics.inc({ consumer: 'billing', result: 'free' }, records.length);
      return;
    }
    const exhaustedKeys = await this.prisma.$transaction(async (tx) => {
      const inserted = await tx.ledgerEntry.createManyAndReturn({
        data: billable.map((r) => ({
          userId: r.userId!,
          tokenId: r.tokenId,
          requestId: r.requestId,
          kind: 'usage',
          amountMicros: -BigInt(r.costMicros),
        })),
        skipDuplicates: true,
        select: { requestId: true, userId: true, tokenId: true, amountMicros: true },
      });
      metrics.inc({ consumer: 'billing', result: 'duplicate' }, billable.length - inserted.length);
      metrics.inc({ consumer: 'billing', result: 'stored' }, inserted.length);
      const byUser = new Map<number, bigint>();
      const byToken = new Map<number, bigint>();
      for (const e of inserted) {
        byUser.set(e.userId, (byUser.get(e.userId) ?? 0n) - e.amountMicros);
        if (e.tokenId !== null) byToken.set(e.tokenId, (byToken.get(e.tokenId) ?? 0n) - e.amountMicros);
      }
      for (const [userId, cost] of byUser) {
        // Unlimited users (balance NULL) stay NULL: NULL - x is NULL in SQL.
        await tx.$executeRaw`UPDATE users SET "balanceMicros" = "balanceMicros" - ${cost}, "updatedAt" = now() WHERE id = ${userId}`;
      }
      const exhausted: string[] = [];
      for (const [tokenId, cost] of byToken) {
        const rows = await tx.$queryRaw<{ keyHash: string; status: string }[]>`
          UPDATE tokens SET "usedQuotaMicros" = "usedQuotaMicros" + ${cost},
            status = CASE WHEN "quotaMicros" IS NOT NULL AND "usedQuotaMicros" + ${cost} >= "quotaMicros" AND status = 'active'
                          THEN 'exhausted' ELSE status END,
            "updatedAt" = now()
          WHERE id = ${tokenId} RETURNING "keyHash", status`;
        for (const r of rows) if (r.status === 'exhausted') exhausted.push(r.keyHash);
      }
      return exhausted;
    });
    if (exhaustedKeys.length) this.bus.emit(Subjects.AuthChanged, { keyHashes: exhaustedKeys, all: false });
  }
}
