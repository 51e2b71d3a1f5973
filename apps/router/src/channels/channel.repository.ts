import { Injectable } from '@nestjs/common';
import { PrismaService, type Alias, type Channel, type ChannelKey } from '@switchboard/db';

export type ChannelWithKeys = Channel & { keys: ChannelKey[] };

/** What the routing table and the probe worker need of channels and aliases; unit tests implement it in memory. */
export type Channels = Pick<ChannelRepository, keyof ChannelRepository>;

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
}
