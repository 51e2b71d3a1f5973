import { Injectable } from '@nestjs/common';
import type { DeadLetterListQuery } from '@switchboard/contracts';
import { PrismaService, type Prisma } from '@switchboard/db';
import type { z } from 'zod';

/** `GET /api/usage/dead-letters`: usage records a consumer could not commit, newest first; filters consumer, requestId. */
@Injectable()
export class UsageDeadLetterQueryService {
  constructor(private readonly prisma: PrismaService) {}

  async list(q: z.output<typeof DeadLetterListQuery>) {
    const where: Prisma.UsageDeadLetterWhereInput = { consumer: q.consumer, requestId: q.requestId };
    const [rows, total] = await Promise.all([
      this.prisma.usageDeadLetter.findMany({ where, orderBy: { id: 'desc' }, take: q.limit, skip: q.offset }),
      this.prisma.usageDeadLetter.count({ where }),
    ]);
    return {
      data: rows.map((r) => ({
        id: Number(r.id),
        consumer: r.consumer,
        requestId: r.requestId,
        record: readRecord(r.record),
        error: r.error,
        createdAt: r.createdAt.toISOString(),
      })),
      total,
    };
  }
}

function readRecord(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
