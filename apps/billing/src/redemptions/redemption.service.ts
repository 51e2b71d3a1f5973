import { Injectable, Logger } from '@nestjs/common';
import { RedeemRequest, badRequest, type AdminReply, type CreateRedemptions, type RedemptionListQuery } from '@switchboard/contracts';
import { PrismaService, microsToUsd, usdToMicros, type Prisma, type Redemption } from '@switchboard/db';
import { processMetrics } from '@switchboard/observability';
import type { z } from 'zod';
import { BalanceService, creditUser } from '../ledger/balance.service';
import { generateRedemptionCode, hashRedemptionCode, maskRedemptionCode } from './redemption-code';

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
 * Redemption codes: created in batches by an admin (audited, entity `redemption`), redeemed once by a token holder.
 * Redeeming is one transaction: a single conditional UPDATE claims the code (`usedAt IS NULL` and not expired,
 * RETURNING its value), then the ledger credit and the balance move. Under concurrency exactly one UPDATE
 * matches; the others see the row already used and get 400.
 */
@Injectable()
export class RedemptionService {
  private readonly logger = new Logger(RedemptionService.name);
  private readonly metrics = processMetrics();

  constructor(
    private readonly prisma: PrismaService,
    private readonly balances: BalanceService,
  ) {}

  async create(b: z.output<typeof CreateRedemptions>, actor: string) {
    const valueMicros = usdToMicros(b.value);
    if (valueMicros <= 0n) throw badRequest('value: must be at least 0.000001', { field: 'value' });
    const expiresAt = b.expiresAt ? new Date(b.expiresAt) : null;
    if (expiresAt && expiresAt.getTime() <= Date.now()) throw badRequest('expiresAt: must be in the future', { field: 'expiresAt' });
    const codes = Array.from({ length: b.count }, generateRedemptionCode);
    const rows = await this.prisma.$transaction(async (tx) => {
      const created = await tx.redemption.createManyAndReturn({
        data: codes.map((code) => ({ code: hashRedemptionCode(code), valueMicros, expiresAt })),
      });
      const byHash = new Map(codes.map((c) => [hashRedemptionCode(c), c]));
      await tx.auditLog.createMany({
        data: created.map((r) => ({
          actor,
          action: 'create',
          entity: 'redemption',
          entityId: String(r.id),
          after: { ...redemptionView(r), code: maskRedemptionCode(byHash.get(r.code)!) },
        })),
      });
      return created.map((r) => ({ row: r, code: byHash.get(r.code)! }));
    });
    return { data: rows.map(({ row, code }) => ({ id: row.id, code, value: microsToUsd(row.valueMicros), expiresAt: row.expiresAt?.toISOString() ?? null })) };
  }

  async list(q: z.output<typeof RedemptionListQuery>) {
    const now = new Date();
    const where: Prisma.RedemptionWhereInput =
      q.status === 'used'
        ? { usedAt: { not: null } }
        : q.status === 'expired'
          ? { usedAt: null, expiresAt: { lte: now } }
          : q.status === 'unused'
            ? { usedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] }
            : {};
    const [rows, total] = await Promise.all([
      this.prisma.redemption.findMany({ where, orderBy: { id: 'desc' }, take: q.limit, skip: q.offset }),
      this.prisma.redemption.count({ where }),
    ]);
    return { data: rows.map(redemptionView), total };
  }

  async redeem(payload: unknown): Promise<AdminReply> {
    const req = RedeemRequest.parse(payload);
    const code = req.code.trim();
    if (!code) throw badRequest('code: required', { field: 'code' });
    const hash = hashRedemptionCode(code);
    const credited = await this.prisma.$transaction(async (tx) => {
      const claimed = await tx.$queryRaw<{ id: number; valueMicros: bigint }[]>`
        UPDATE redemptions SET "usedAt" = now() AT TIME ZONE 'UTC', "usedByUserId" = ${req.userId}
        WHERE code = ${hash} AND "usedAt" IS NULL AND ("expiresAt" IS NULL OR "expiresAt" > now() AT TIME ZONE 'UTC')
        RETURNING id, "valueMicros"`;
      const c = claimed[0];
      if (!c) return null;
      // Throws (and so un-claims the code) when the user cannot be credited, e.g. an unlimited balance.
      const after = await creditUser(tx, {
        userId: req.userId,
        tokenId: req.tokenId,
        kind: 'redemption',
        reference: `redemption:${c.id}`,
        amountMicros: c.valueMicros,
      });
      return { id: c.id, after: after.after };
    });
    if (!credited) {
      this.metrics.redemptions.inc({ result: 'rejected' });
      throw badRequest(await this.whyNot(hash), { field: 'code' });
    }
    this.metrics.redemptions.inc({ result: 'credited' });
    this.logger.log(`redemption ${credited.id} credited to user ${req.userId}`);
    await this.balances.notifyCredited(req.userId);
    return { status: 200, body: { balance: microsToUsd(credited.after) } };
  }

  private async whyNot(hash: string): Promise<string> {
    const r = await this.prisma.redemption.findUnique({ where: { code: hash } });
    if (!r) return 'code: unknown redemption code';
    if (r.usedAt) return 'code: this redemption code has already been used';
    return 'code: this redemption code has expired';
  }
}
