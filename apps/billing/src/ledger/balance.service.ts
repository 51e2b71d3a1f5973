import { Injectable } from '@nestjs/common';
import { DomainError, Subjects, notFound, type AdminReply } from '@switchboard/contracts';
import { PrismaService, microsToUsdOrNull, usdToMicros } from '@switchboard/db';
import { Bus } from '@switchboard/messaging';
import { z } from 'zod';

export const TopUp = z.object({ amount: z.number().finite().positive('must be positive') }).strict();

/** Admin top-ups: a ledger credit and the balance move in one transaction. */
@Injectable()
export class BalanceService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly bus: Bus,
  ) {}

  async topUp(id: string | undefined, body: unknown, actor: string): Promise<AdminReply> {
    const { amount } = TopUp.parse(body);
    const userId = Number(id);
    const user = Number.isInteger(userId) ? await this.prisma.user.findUnique({ where: { id: userId } }) : null;
    if (!user) throw notFound('user');
    if (user.balanceMicros === null) throw new DomainError('invalid_request', 400, 'user has an unlimited balance');
    const micros = usdToMicros(amount);
    const updated = await this.prisma.$transaction(async (tx) => {
      await tx.ledgerEntry.create({ data: { userId, kind: 'topup', amountMicros: micros, requestId: null } });
      return tx.user.update({ where: { id: userId }, data: { balanceMicros: { increment: micros } } });
    });
    void actor;
    const tokens = await this.prisma.token.findMany({ where: { userId }, select: { keyHash: true } });
    this.bus.emit(Subjects.AuthChanged, { keyHashes: tokens.map((t) => t.keyHash), all: false, quotaReset: { tokenIds: [], userIds: [userId] } });
    return { status: 200, body: { balance: microsToUsdOrNull(updated.balanceMicros) } };
  }
}
