import { Inject, Injectable } from '@nestjs/common';
import type { AdminReply } from '@switchboard/contracts';
import { microsToUsd } from '@switchboard/db';
import { z } from 'zod';
import { LedgerRepository, type LedgerReader } from './ledger.repository';

const optInt = z.coerce.number().int().optional();
const LedgerQuery = z.object({
  userId: optInt,
  tokenId: optInt,
  kind: z.enum(['usage', 'topup', 'redemption', 'adjustment']).optional(),
  requestId: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

/** `GET /api/ledger`: the entries behind every balance, newest first, with the exact sum over the filter. */
@Injectable()
export class LedgerQueryService {
  constructor(@Inject(LedgerRepository) private readonly ledger: LedgerReader) {}

  async list(query: Record<string, string>): Promise<AdminReply> {
    const q = LedgerQuery.parse(query);
    const page = await this.ledger.page({ userId: q.userId, tokenId: q.tokenId, kind: q.kind, requestId: q.requestId }, q.limit, q.offset);
    return {
      status: 200,
      body: {
        data: page.rows.map((e) => ({
          id: Number(e.id),
          userId: e.userId,
          tokenId: e.tokenId,
          requestId: e.requestId,
          kind: e.kind,
          amount: microsToUsd(e.amountMicros),
          createdAt: e.createdAt.toISOString(),
        })),
        total: page.total,
        sum: microsToUsd(page.sumMicros),
      },
    };
  }
}
