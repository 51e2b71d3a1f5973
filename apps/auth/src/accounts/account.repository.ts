import { Injectable } from '@nestjs/common';
import { PrismaService } from '@switchboard/db';

/** What the account service needs beyond the admin repositories; unit tests implement it in memory. */
export type AccountStore = Pick<AccountRepository, keyof AccountRepository>;

/** The sign-in side of the users table: one-time uses of second factors, each a single conditional UPDATE (no race). */
@Injectable()
export class AccountRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Records `step` as the last TOTP step used; false when it (or a later one) was already used. */
  async acceptTotpStep(userId: number, step: number): Promise<boolean> {
    const { count } = await this.prisma.user.updateMany({
      where: { id: userId, OR: [{ totpLastStep: null }, { totpLastStep: { lt: BigInt(step) } }] },
      data: { totpLastStep: BigInt(step) },
    });
    return count === 1;
  }

  /** Removes one unused backup code (by hash); false when it is not among the user's unused ones. */
  async useBackupCode(userId: number, hash: string): Promise<boolean> {
    const n = await this.prisma.$executeRaw`
      UPDATE users SET "backupCodes" = array_remove("backupCodes", ${hash}) WHERE id = ${userId} AND ${hash} = ANY("backupCodes")`;
    return n === 1;
  }

  async tokenCount(userId: number): Promise<number> {
    return this.prisma.token.count({ where: { userId } });
  }

  async roleCount(role: string): Promise<number> {
    return this.prisma.user.count({ where: { role } });
  }
}
