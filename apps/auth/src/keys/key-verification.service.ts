import { Injectable } from '@nestjs/common';
import { Subjects, type Limits, type VerifiedToken, type VerifyKeyReply } from '@switchboard/contracts';
import { PrismaService, modelsFromColumn } from '@switchboard/db';
import { Bus } from '@switchboard/messaging';

const limits = (r: { rpm: number | null; tpm: number | null; maxConcurrency: number | null } | null): Limits => ({
  rpm: r?.rpm ?? null,
  tpm: r?.tpm ?? null,
  maxConcurrency: r?.maxConcurrency ?? null,
});

/** Resolves a key hash to everything the gateway needs to admit a request. The gateway caches the answer. */
@Injectable()
export class KeyVerificationService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly bus: Bus,
  ) {}

  async verify(keyHash: string): Promise<VerifyKeyReply> {
    const t = await this.prisma.token.findUnique({ where: { keyHash }, include: { user: true } });
    if (!t) return { token: null };
    let status = t.status as VerifiedToken['status'];
    if (status === 'active' && t.expiresAt && t.expiresAt.getTime() <= Date.now()) {
      // Expiry flips the status once, so lists show it and the audit of later edits starts from the truth.
      await this.prisma.token.update({ where: { id: t.id }, data: { status: 'expired' } });
      status = 'expired';
      this.bus.emit(Subjects.AuthChanged, { keyHashes: [keyHash], all: false });
    }
    const groupName = t.group ?? t.user.group;
    const group = await this.prisma.group.findUnique({ where: { name: groupName } });
    return {
      token: {
        tokenId: t.id,
        tokenName: t.name,
        status,
        expiresAt: t.expiresAt?.toISOString() ?? null,
        quotaMicros: t.quotaMicros === null ? null : Number(t.quotaMicros),
        usedQuotaMicros: Number(t.usedQuotaMicros),
        models: modelsFromColumn(t.models),
        allowIps: t.allowIps,
        crossGroupRetry: t.crossGroupRetry,
        limits: limits(t),
        user: {
          id: t.user.id,
          name: t.user.name,
          status: t.user.status === 'disabled' ? 'disabled' : 'active',
          balanceMicros: t.user.balanceMicros === null ? null : Number(t.user.balanceMicros),
          limits: limits(null),
        },
        group: { name: groupName, priceRatio: group ? Number(group.priceRatio) : 1, limits: limits(group) },
      },
    };
  }
}
