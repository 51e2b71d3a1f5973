import { Injectable } from '@nestjs/common';
import { PrismaService, recordAudit, type AlertChannel, type AuditEntry } from '@switchboard/db';

export type AlertChannelData = Pick<AlertChannel, 'name' | 'type' | 'target' | 'events' | 'secret' | 'previousSecret' | 'previousSecretUntil' | 'enabled'>;

/** Stored alert channels; every admin write is committed with the audit record its caller builds from the row. */
@Injectable()
export class AlertChannelRepository {
  constructor(private readonly prisma: PrismaService) {}

  all(): Promise<AlertChannel[]> {
    return this.prisma.alertChannel.findMany({ orderBy: { id: 'asc' } });
  }

  /** The enabled channels that receive `event`. */
  subscribedTo(event: string): Promise<AlertChannel[]> {
    return this.prisma.alertChannel.findMany({ where: { enabled: true, events: { has: event } }, orderBy: { id: 'asc' } });
  }

  find(id: number): Promise<AlertChannel | null> {
    return this.prisma.alertChannel.findUnique({ where: { id } });
  }

  create(data: AlertChannelData, audit: (row: AlertChannel) => AuditEntry): Promise<AlertChannel> {
    return this.prisma.$transaction(async (tx) => {
      const row = await tx.alertChannel.create({ data });
      await recordAudit(tx, audit(row));
      return row;
    });
  }

  update(id: number, data: Partial<AlertChannelData>, audit: (row: AlertChannel) => AuditEntry): Promise<AlertChannel> {
    return this.prisma.$transaction(async (tx) => {
      const row = await tx.alertChannel.update({ where: { id }, data });
      await recordAudit(tx, audit(row));
      return row;
    });
  }

  delete(id: number, audit: AuditEntry): Promise<void> {
    return this.prisma.$transaction(async (tx) => {
      await tx.alertChannel.delete({ where: { id } });
      await recordAudit(tx, audit);
    });
  }

  /** The outcome of the last delivery, shown beside the channel in the console. */
  async recordDelivery(id: number, at: Date, error: string | null): Promise<void> {
    await this.prisma.alertChannel.updateMany({ where: { id }, data: { lastDeliveryAt: at, lastError: error } });
  }
}

export type AlertChannels = Pick<AlertChannelRepository, 'all' | 'subscribedTo' | 'find' | 'create' | 'update' | 'delete' | 'recordDelivery'>;
