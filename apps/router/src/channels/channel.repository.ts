import { Injectable } from '@nestjs/common';
import { Prisma, PrismaService, type Alias, type Channel, type ChannelKey } from '@switchboard/db';
import type { sealChannelSecrets } from './channel-secrets';

export type ChannelWithKeys = Channel & { keys: ChannelKey[] };

/** What the routing table and the probe worker need of channels and aliases; unit tests implement it in memory. */
export type Channels = Pick<ChannelRepository, 'enabledWithKeys' | 'withKeys' | 'aliases' | 'recordCheck'>;
/** What the start-up encryption of plain-text channel secrets needs. */
export type LegacySecretChannels = Pick<ChannelRepository, 'withLegacySecrets' | 'storeSecrets'>;

/** Reads of channels (with their encrypted keys) and aliases, and the health check's record on a channel. */
@Injectable()
export class ChannelRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Every enabled channel with its keys, by id. */
  async enabledWithKeys(): Promise<ChannelWithKeys[]> {
    return this.prisma.channel.findMany({ where: { enabled: true }, include: { keys: true }, orderBy: { id: 'asc' } });
  }

  async withKeys(id: number): Promise<ChannelWithKeys | null> {
    return this.prisma.channel.findUnique({ where: { id }, include: { keys: true } });
  }

  async aliases(): Promise<Alias[]> {
    return this.prisma.alias.findMany();
  }

  /** The periodic health check's result: the response time (null when it failed) and when it ran. */
  async recordCheck(id: number, responseTimeMs: number | null, checkedAt: Date): Promise<void> {
    await this.prisma.channel.update({ where: { id }, data: { responseTimeMs, lastCheckedAt: checkedAt } });
  }

  /** Channels that still hold headers or paramOverride in the plain-text legacy columns. */
  async withLegacySecrets(): Promise<Channel[]> {
    return this.prisma.channel.findMany({
      where: { OR: [{ legacyHeaders: { not: Prisma.DbNull } }, { legacyParamOverride: { not: Prisma.DbNull } }] },
    });
  }

  /** Stores sealed secrets (sealChannelSecrets also clears the legacy columns it replaces). */
  async storeSecrets(id: number, sealed: ReturnType<typeof sealChannelSecrets>): Promise<void> {
    await this.prisma.channel.update({ where: { id }, data: sealed });
  }
}
