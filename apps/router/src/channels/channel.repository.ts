import { Injectable } from '@nestjs/common';
import { Prisma, PrismaService, readSnapshot, recordAudit, type Alias, type AuditEntry, type Channel, type ChannelKey } from '@switchboard/db';
import type { sealChannelSecrets } from './channel-secrets';

export type ChannelWithKeys = Channel & { keys: ChannelKey[] };

/** What the routing table and the probe worker need of channels and aliases; unit tests implement it in memory. */
export type Channels = Pick<ChannelRepository, 'enabledWithKeys' | 'withKeys' | 'aliases' | 'recordCheck'>;
/** What the start-up encryption of plain-text channel secrets needs. */
export type LegacySecretChannels = Pick<ChannelRepository, 'withLegacySecrets' | 'storeSecrets'>;
/** What the admin API needs of channels. */
export type AdminChannels = Pick<ChannelRepository, 'page' | 'withKeys' | 'recordCheck' | 'create' | 'update' | 'delete'>;
/** What the channel configured from AIHUBMIX_* needs. */
export type EnvChannels = Pick<ChannelRepository, 'upsertByName'>;

/** A channel key as written: its position, the sealed key and the hint admins see. */
export type ChannelKeyRow = Pick<ChannelKey, 'position' | 'keyCiphertext' | 'keyHint' | 'status'>;

/**
 * Channels (with their encrypted keys): the routing table's and health checks' reads and records, and the admin and
 * start-up writes, each committed with the audit record its caller builds from the row.
 */
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

  /** One page by id, with keys, and the number of channels, in one snapshot. */
  async page(limit: number, offset: number): Promise<{ rows: ChannelWithKeys[]; total: number }> {
    return readSnapshot(this.prisma, async (tx) => ({
      rows: await tx.channel.findMany({ include: { keys: true }, orderBy: { id: 'asc' }, take: limit, skip: offset }),
      total: await tx.channel.count(),
    }));
  }

  async create(data: Prisma.ChannelCreateInput, audit: (created: ChannelWithKeys) => AuditEntry): Promise<ChannelWithKeys> {
    return this.prisma.$transaction(async (tx) => {
      const c = await tx.channel.create({ data, include: { keys: true } });
      await recordAudit(tx, audit(c));
      return c;
    });
  }

  /** Updates the channel, first replacing all its keys when `keys` is given. */
  async update(
    id: number,
    keys: ChannelKeyRow[] | undefined,
    data: Prisma.ChannelUpdateInput,
    audit: (updated: ChannelWithKeys) => AuditEntry,
  ): Promise<ChannelWithKeys> {
    return this.prisma.$transaction(async (tx) => {
      if (keys) {
        await tx.channelKey.deleteMany({ where: { channelId: id } });
        await tx.channelKey.createMany({ data: keys.map((k) => ({ ...k, channelId: id })) });
      }
      const c = await tx.channel.update({ where: { id }, data, include: { keys: true } });
      await recordAudit(tx, audit(c));
      return c;
    });
  }

  async delete(id: number, audit: AuditEntry): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      await tx.channel.delete({ where: { id } });
      await recordAudit(tx, audit);
    });
  }

  /**
   * In one transaction: reads the channel named `name`; `plan` decides its columns from what is stored; then
   * either updates it (its keys replaced by `keys`) or creates it with `keys`, and records `audit`.
   */
  async upsertByName(
    name: string,
    keys: ChannelKeyRow[],
    plan: (existing: Channel | null) => { update: Prisma.ChannelUpdateInput; create: Omit<Prisma.ChannelCreateInput, 'keys'> },
    audit: (action: 'create' | 'update', id: number) => AuditEntry,
  ): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      const existing = await tx.channel.findUnique({ where: { name } });
      const { update, create } = plan(existing);
      if (existing) {
        await tx.channelKey.deleteMany({ where: { channelId: existing.id } });
        await tx.channel.update({ where: { id: existing.id }, data: { ...update, keys: { create: keys } } });
        await recordAudit(tx, audit('update', existing.id));
      } else {
        const c = await tx.channel.create({ data: { ...create, keys: { create: keys } } });
        await recordAudit(tx, audit('create', c.id));
      }
    });
  }
}
