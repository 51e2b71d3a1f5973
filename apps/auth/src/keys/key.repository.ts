import { Injectable } from '@nestjs/common';
import { PrismaService, type Group, type Token, type User } from '@switchboard/db';

/** What key verification and expiry need of tokens and groups; unit tests implement it in memory. */
export type Keys = Pick<KeyRepository, keyof KeyRepository>;

/** The SQL behind API keys at request time: a token by its key hash, its group, and status flips on expiry. */
@Injectable()
export class KeyRepository {
  constructor(private readonly prisma: PrismaService) {}

  async tokenByKeyHash(keyHash: string): Promise<(Token & { user: User }) | null> {
    return this.prisma.token.findUnique({ where: { keyHash }, include: { user: true } });
  }

  async tokenById(id: number): Promise<(Token & { user: User }) | null> {
    return this.prisma.token.findUnique({ where: { id }, include: { user: true } });
  }

  async group(name: string): Promise<Group | null> {
    return this.prisma.group.findUnique({ where: { name } });
  }

  /** Flips the token to `expired` if it is still `active` (an admin's concurrent `disabled` wins); true if it flipped. */
  async expireIfActive(tokenId: number): Promise<boolean> {
    const flipped = await this.prisma.token.updateMany({ where: { id: tokenId, status: 'active' }, data: { status: 'expired' } });
    return flipped.count > 0;
  }

  /** Flips every active token whose `expiresAt` is at or before `now`; returns their key hashes (only rows it flipped). */
  async expireDue(now: Date): Promise<string[]> {
    const rows = await this.prisma.$queryRaw<{ keyHash: string }[]>`
      UPDATE tokens SET status = 'expired', "updatedAt" = now()
      WHERE status = 'active' AND "expiresAt" IS NOT NULL AND "expiresAt" <= ${now}
      RETURNING "keyHash"`;
    return rows.map((r) => r.keyHash);
  }
}
