import { Injectable } from '@nestjs/common';
import { Prisma, PrismaService, type ChannelBalance } from '@switchboard/db';

/** What the account refresher needs of the database; unit tests implement it in memory. */
export type ChannelAccounts = Pick<ChannelAccountRepository, keyof ChannelAccountRepository>;

/** A key's allowance as read (the row keeps the last good read when a later one fails). */
export interface AllowanceRead {
  used: number;
  limit: number;
  resetAt: Date | null;
}

/**
 * What providers report of channel accounts: each key's allowance (columns of channel_keys) and each channel's
 * balance (channel_balances). A channel or key deleted meanwhile is skipped, never an error.
 */
@Injectable()
export class ChannelAccountRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Stores a key's allowance (null: the provider reports none for it) or why it could not be read. */
  async storeAllowance(keyId: number, read: AllowanceRead | null | { error: string }, at: Date): Promise<void> {
    const data: Prisma.ChannelKeyUpdateManyMutationInput =
      read && 'error' in read
        ? { allowanceError: read.error.slice(0, 500), allowanceCheckedAt: at }
        : {
            allowanceUsed: read?.used ?? null,
            allowanceLimit: read?.limit ?? null,
            allowanceResetAt: read?.resetAt ?? null,
            allowanceError: null,
            allowanceCheckedAt: at,
          };
    // updateMany: a key removed while its allowance was read matches nothing
    await this.prisma.channelKey.updateMany({ where: { id: keyId }, data });
  }

  async balanceOf(channelId: number): Promise<ChannelBalance | null> {
    return this.prisma.channelBalance.findUnique({ where: { channelId } });
  }

  /** Every stored balance that was read at least once (for the gauge after a restart). */
  async balances(): Promise<ChannelBalance[]> {
    return this.prisma.channelBalance.findMany({ where: { balance: { not: null } } });
  }

  /** Stores a balance read, or why the read failed (keeping the last balance read). Null when the channel is gone. */
  async storeBalance(channelId: number, read: { balance: number; currency: string } | { error: string }, at: Date): Promise<ChannelBalance | null> {
    const data = 'error' in read ? { error: read.error.slice(0, 500), checkedAt: at } : { ...read, updatedAt: at, checkedAt: at, error: null };
    try {
      return await this.prisma.channelBalance.upsert({ where: { channelId }, create: { channelId, ...data }, update: data });
    } catch (e) {
      // the channel was deleted while its balance was read (foreign key)
      if (e instanceof Prisma.PrismaClientKnownRequestError && (e.code === 'P2003' || e.code === 'P2025')) return null;
      throw e;
    }
  }
}
