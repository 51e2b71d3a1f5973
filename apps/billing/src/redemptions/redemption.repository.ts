import { Injectable } from '@nestjs/common';
import { PrismaService, readSnapshot, type AuditEntry, type Prisma, type Redemption } from '@switchboard/db';
import { creditUser } from '../ledger/balance.repository';

export type RedemptionStatus = 'unused' | 'used' | 'expired';

/** What the redemption service needs of the database; unit tests implement it in memory. */
export type Redemptions = Pick<RedemptionRepository, keyof RedemptionRepository>;

/** The SQL of redemption codes (stored by the digest of the code, never the code). */
@Injectable()
export class RedemptionRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Inserts one code per digest and an audit entry for each (built by `audit`), in one transaction. */
  async createAudited(digests: string[], valueMicros: bigint, expiresAt: Date | null, audit: (r: Redemption) => AuditEntry): Promise<Redemption[]> {
    return this.prisma.$transaction(async (tx) => {
      const created = await tx.redemption.createManyAndReturn({ data: digests.map((code) => ({ code, valueMicros, expiresAt })) });
      await tx.auditLog.createMany({
        data: created.map((r) => {
          const e = audit(r);
          return { actor: e.actor, action: e.action, entity: e.entity, entityId: String(e.entityId), after: e.after as Prisma.InputJsonValue };
        }),
      });
      return created;
    });
  }

  /** Newest first, with the count over the whole filter in the same snapshot; `now` decides what has expired. */
  async page(status: RedemptionStatus | undefined, now: Date, limit: number, offset: number): Promise<{ rows: Redemption[]; total: number }> {
    const where: Prisma.RedemptionWhereInput =
      status === 'used'
        ? { usedAt: { not: null } }
        : status === 'expired'
          ? { usedAt: null, expiresAt: { lte: now } }
          : status === 'unused'
            ? { usedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] }
            : {};
    return readSnapshot(this.prisma, async (tx) => ({
      rows: await tx.redemption.findMany({ where, orderBy: { id: 'desc' }, take: limit, skip: offset }),
      total: await tx.redemption.count({ where }),
    }));
  }

  /**
   * Claims the code and credits its value, in one transaction: a single conditional UPDATE claims it (unused and not
   * expired), so under concurrency exactly one claim matches. null when nothing matched. A user who cannot be
   * credited (an unlimited balance) makes it throw, which un-claims the code.
   */
  async redeem(digest: string, userId: number, tokenId: number | null): Promise<{ id: number; balanceAfterMicros: bigint } | null> {
    return this.prisma.$transaction(async (tx) => {
      const claimed = await tx.$queryRaw<{ id: number; valueMicros: bigint }[]>`
        UPDATE redemptions SET "usedAt" = now() AT TIME ZONE 'UTC', "usedByUserId" = ${userId}
        WHERE code = ${digest} AND "usedAt" IS NULL AND ("expiresAt" IS NULL OR "expiresAt" > now() AT TIME ZONE 'UTC')
        RETURNING id, "valueMicros"`;
      const c = claimed[0];
      if (!c) return null;
      const credited = await creditUser(tx, { userId, tokenId, kind: 'redemption', reference: `redemption:${c.id}`, amountMicros: c.valueMicros });
      return { id: c.id, balanceAfterMicros: credited.after };
    });
  }

  async findByDigest(digest: string): Promise<Redemption | null> {
    return this.prisma.redemption.findUnique({ where: { code: digest } });
  }
}
