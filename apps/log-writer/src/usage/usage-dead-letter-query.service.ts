import { Inject, Injectable } from '@nestjs/common';
import type { DeadLetterListQuery } from '@switchboard/contracts';
import type { z } from 'zod';
import { UsageDeadLetterRepository, type UsageDeadLetters } from './usage-dead-letter.repository';

/** `GET /api/usage/dead-letters`: usage records a consumer could not commit, newest first; filters consumer, requestId. */
@Injectable()
export class UsageDeadLetterQueryService {
  constructor(@Inject(UsageDeadLetterRepository) private readonly deadLetters: UsageDeadLetters) {}

  async list(q: z.output<typeof DeadLetterListQuery>) {
    const { rows, total } = await this.deadLetters.page({ consumer: q.consumer, requestId: q.requestId }, q.limit, q.offset);
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
