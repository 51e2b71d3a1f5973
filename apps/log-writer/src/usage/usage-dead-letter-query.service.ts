import { Inject, Injectable } from '@nestjs/common';
import type { AdminReply } from '@switchboard/contracts';
import { z } from 'zod';
import { UsageDeadLetterRepository, type UsageDeadLetters } from './usage-dead-letter.repository';

const DeadLetterQuery = z.object({
  consumer: z.string().optional(),
  requestId: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

/** `GET /api/usage/dead-letters`: usage records a consumer could not commit, newest first; filters consumer, requestId. */
@Injectable()
export class UsageDeadLetterQueryService {
  constructor(@Inject(UsageDeadLetterRepository) private readonly deadLetters: UsageDeadLetters) {}

  async list(query: Record<string, string>): Promise<AdminReply> {
    const q = DeadLetterQuery.parse(query);
    const { rows, total } = await this.deadLetters.page({ consumer: q.consumer, requestId: q.requestId }, q.limit, q.offset);
    return {
      status: 200,
      body: {
        data: rows.map((r) => ({
          id: Number(r.id),
          consumer: r.consumer,
          requestId: r.requestId,
          record: readRecord(r.record),
          error: r.error,
          createdAt: r.createdAt.toISOString(),
        })),
        total,
      },
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
