import { Injectable } from '@nestjs/common';
import {
  Prisma,
  PrismaService,
  readSnapshot,
  recordAudit,
  type Alias,
  type AuditEntry,
  type Channel,
  type ChannelBalance,
  type ChannelKey,
} from '@switchboard/db';
import type { sealChannelSecrets } from './channel-secrets';

/** A channel with its keys; admin reads also carry its stored balance (`balance`: absent when not read with it). */
export type ChannelWithKeys = Channel & { keys: ChannelKey[]; balance?: ChannelBalance | null };

/** What the routing table and the probe worker need of channels and aliases; unit tests implement it in memory. */
export type Channels = Pick<ChannelRepository, 'enabledWithKeys' | 'withKeys' | 'aliases' | 'recordCheck'>;
/** What the start-up encryption of plain-text channel secrets needs. */
export type LegacySecretChannels = Pick<ChannelRepository, 'withLegacySecrets' | 'storeSecrets'>;
/** What the admin API needs of channels. */
export type AdminChannels = Pick<
  ChannelRepository,
  'page' | 'withKeys' | 'recordCheck' | 'create' | 'update' | 'delete' | 'addKeys' | 'updateKey' | 'deleteKey'
>;
/** What the channel configured from AIHUBMIX_* needs. */
export type EnvChannels = Pick<ChannelRepository, 'upsertByName'>;

/** A channel key as written: its position, the sealed key and the hint admins see. */
export type ChannelKeyRow = Pick<ChannelKey, 'position' | 'keyCiphertext' | 'keyHint' | 'status'>;

/** A key-pool write: the channel before and after (for the audit snapshot and the answer) and the keys it touched. */
export interface KeyPoolChange {
  before: ChannelWithKeys;
  after: ChannelWithKeys;
  keys: ChannelKey[];
}

type Tx = Prisma.TransactionClient;

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
    return this.prisma.channel.findUnique({ where: { id }, include: { keys: true, balance: true } });
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
      rows: await tx.channel.findMany({ include: { keys: true, balance: true }, orderBy: { id: 'asc' }, take: limit, skip: offset }),
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

  /**
   * Locks the channel row (concurrent batch adds must not both pass the duplicate check or take the same position),
   * then reads it with its keys; null when it does not exist.
   */
  private async lockedWithKeys(tx: Tx, id: number): Promise<ChannelWithKeys | null> {
    await tx.$queryRaw`SELECT id FROM channels WHERE id = ${id} FOR UPDATE`;
    return tx.channel.findUnique({ where: { id }, include: { keys: true } });
  }

  private async touched(tx: Tx, id: number): Promise<ChannelWithKeys> {
    // updatedAt moves so gateways and admins see the pool changed; the channel's own columns stay as they are
    return tx.channel.update({ where: { id }, data: { updatedAt: new Date() }, include: { keys: true } });
  }

  /**
   * Appends keys to the pool: `plan` picks the rows to add from the keys already there (it skips duplicates), each
   * taking the next free position, so the positions of existing keys (and bans recorded against them) stay valid.
   */
  async addKeys(
    id: number,
    plan: (existing: ChannelKey[]) => Omit<ChannelKeyRow, 'position'>[],
    audit: (change: KeyPoolChange) => AuditEntry,
  ): Promise<KeyPoolChange | null> {
    return this.prisma.$transaction(async (tx) => {
      const before = await this.lockedWithKeys(tx, id);
      if (!before) return null;
      const rows = plan(before.keys);
      let next = before.keys.reduce((max, k) => Math.max(max, k.position), -1) + 1;
      const keys = rows.length ? await tx.channelKey.createManyAndReturn({ data: rows.map((r) => ({ ...r, channelId: id, position: next++ })) }) : [];
      const change = { before, after: rows.length ? await this.touched(tx, id) : before, keys };
      if (rows.length) await recordAudit(tx, audit(change));
      return change;
    });
  }

  /** Relabels, enables or disables one key of the channel; null when the channel has no such key. */
  async updateKey(
    id: number,
    keyId: number,
    data: { label?: string; status?: string },
    audit: (change: KeyPoolChange) => AuditEntry,
  ): Promise<KeyPoolChange | null> {
    return this.prisma.$transaction(async (tx) => {
      const before = await this.lockedWithKeys(tx, id);
      if (!before?.keys.some((k) => k.id === keyId)) return null;
      const key = await tx.channelKey.update({ where: { id: keyId }, data: { ...data, ...(data.status ? { disabledReason: null } : {}) } });
      const change = { before, after: await this.touched(tx, id), keys: [key] };
      await recordAudit(tx, audit(change));
      return change;
    });
  }

  /**
   * Removes one key; the others keep their positions. `guard` may refuse (throw) from the pool as it is, e.g. to keep
   * the last key. Null when the channel has no such key.
   */
  async deleteKey(
    id: number,
    keyId: number,
    guard: (existing: ChannelKey[]) => void,
    audit: (change: KeyPoolChange) => AuditEntry,
  ): Promise<KeyPoolChange | null> {
    return this.prisma.$transaction(async (tx) => {
      const before = await this.lockedWithKeys(tx, id);
      const key = before?.keys.find((k) => k.id === keyId);
      if (!before || !key) return null;
      guard(before.keys);
      await tx.channelKey.delete({ where: { id: keyId } });
      const change = { before, after: await this.touched(tx, id), keys: [key] };
      await recordAudit(tx, audit(change));
      return change;
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
