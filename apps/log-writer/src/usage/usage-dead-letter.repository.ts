import { Injectable } from '@nestjs/common';
import type { UsageDeadLetter } from '@switchboard/contracts';
import { PrismaService, readSnapshot, storeUsageDeadLetters, type Prisma } from '@switchboard/db';

export type StoredDeadLetter = Prisma.UsageDeadLetterGetPayload<object>;

/** What the dead-letter reader and the usage consumer need; unit tests implement it in memory. */
export type UsageDeadLetters = Pick<UsageDeadLetterRepository, keyof UsageDeadLetterRepository>;

/** The SQL of usage_dead_letters: records a usage consumer could not commit. */
@Injectable()
export class UsageDeadLetterRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Keeps them once per consumer and request id; returns how many this call added. */
  async store(consumer: string, letters: readonly Omit<UsageDeadLetter, 'consumer'>[]): Promise<number> {
    return storeUsageDeadLetters(this.prisma, consumer, letters);
  }

  /** Newest first, with the count over the whole filter, in one snapshot. */
  async page(filter: { consumer?: string; requestId?: string }, limit: number, offset: number): Promise<{ rows: StoredDeadLetter[]; total: number }> {
    const where: Prisma.UsageDeadLetterWhereInput = { consumer: filter.consumer, requestId: filter.requestId };
    return readSnapshot(this.prisma, async (tx) => ({
      rows: await tx.usageDeadLetter.findMany({ where, orderBy: { id: 'desc' }, take: limit, skip: offset }),
      total: await tx.usageDeadLetter.count({ where }),
    }));
  }
}
