import { Inject, Injectable } from '@nestjs/common';
import type { LedgerListQuery } from '@switchboard/contracts';
import { microsToUsd } from '@switchboard/db';
import type { z } from 'zod';
import { LedgerRepository, type LedgerReader } from './ledger.repository';

/** `GET /api/ledger`: the entries behind every balance, newest first, with the exact sum over the filter. */
@Injectable()
export class LedgerQueryService {
  constructor(@Inject(LedgerRepository) private readonly ledger: LedgerReader) {}

  async list(q: z.output<typeof LedgerListQuery>) {
    const page = await this.ledger.page({ userId: q.userId, tokenId: q.tokenId, kind: q.kind, requestId: q.requestId }, q.limit, q.offset);
    return {
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
    };
  }
}
