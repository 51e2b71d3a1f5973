import { Inject, Injectable, Logger } from '@nestjs/common';
import { badRequest, type CreateRedemptions, type RedeemReply, type RedeemRequest, type RedemptionListQuery } from '@switchboard/contracts';
import { microsToUsd, usdToMicros, type Redemption } from '@switchboard/db';
import { processMetrics } from '@switchboard/observability';
import type { z } from 'zod';
import { BalanceService } from '../ledger/balance.service';
import { generateRedemptionCode, hashRedemptionCode, maskRedemptionCode } from './redemption-code';
import { RedemptionRepository, type Redemptions } from './redemption.repository';

const statusOf = (r: Redemption, now = Date.now()): 'unused' | 'used' | 'expired' =>
  r.usedAt ? 'used' : r.expiresAt && r.expiresAt.getTime() <= now ? 'expired' : 'unused';

const redemptionView = (r: Redemption) => ({
  id: r.id,
  value: microsToUsd(r.valueMicros),
  expiresAt: r.expiresAt?.toISOString() ?? null,
  status: statusOf(r),
  usedAt: r.usedAt?.toISOString() ?? null,
  usedByUserId: r.usedByUserId,
  createdAt: r.createdAt.toISOString(),
});

/**
 * Redemption codes: created in batches by an admin (audited, entity `redemption`), redeemed once by a token holder
 * (the claim and the credit are one transaction, see RedemptionRepository.redeem); a claim that matches nothing gets
 * 400 saying why.
 */
@Injectable()
export class RedemptionService {
  private readonly logger = new Logger(RedemptionService.name);
  private readonly metrics = processMetrics();

  constructor(
    @Inject(RedemptionRepository) private readonly redemptions: Redemptions,
    private readonly balances: BalanceService,
  ) {}

  async create(b: z.output<typeof CreateRedemptions>, actor: string) {
    const valueMicros = usdToMicros(b.value);
    if (valueMicros <= 0n) throw badRequest('value: must be at least 0.000001', { field: 'value' });
    const expiresAt = b.expiresAt ? new Date(b.expiresAt) : null;
    if (expiresAt && expiresAt.getTime() <= Date.now()) throw badRequest('expiresAt: must be in the future', { field: 'expiresAt' });
    const codes = Array.from({ length: b.count }, generateRedemptionCode);
    const byHash = new Map(codes.map((c) => [hashRedemptionCode(c), c]));
    const created = await this.redemptions.createAudited(codes.map(hashRedemptionCode), valueMicros, expiresAt, (r) => ({
      actor,
      action: 'create',
      entity: 'redemption',
      entityId: r.id,
      after: { ...redemptionView(r), code: maskRedemptionCode(byHash.get(r.code)!) },
    }));
    const rows = created.map((r) => ({ row: r, code: byHash.get(r.code)! }));
    return { data: rows.map(({ row, code }) => ({ id: row.id, code, value: microsToUsd(row.valueMicros), expiresAt: row.expiresAt?.toISOString() ?? null })) };
  }

  async list(q: z.output<typeof RedemptionListQuery>) {
    const { rows, total } = await this.redemptions.page(q.status, new Date(), q.limit, q.offset);
    return { data: rows.map(redemptionView), total };
  }

  async redeem(req: RedeemRequest): Promise<RedeemReply> {
    const code = req.code.trim();
    if (!code) throw badRequest('code: required', { field: 'code' });
    const hash = hashRedemptionCode(code);
    const credited = await this.redemptions.redeem(hash, req.userId, req.tokenId);
    if (!credited) {
      this.metrics.redemptions.inc({ result: 'rejected' });
      throw badRequest(await this.whyNot(hash), { field: 'code' });
    }
    this.metrics.redemptions.inc({ result: 'credited' });
    this.logger.log(`redemption ${credited.id} credited to user ${req.userId}`);
    await this.balances.notifyCredited(req.userId);
    return { balance: microsToUsd(credited.balanceAfterMicros) };
  }

  private async whyNot(hash: string): Promise<string> {
    const r = await this.redemptions.findByDigest(hash);
    if (!r) return 'code: unknown redemption code';
    if (r.usedAt) return 'code: this redemption code has already been used';
    return 'code: this redemption code has expired';
  }
}
