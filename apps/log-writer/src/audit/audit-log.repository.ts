import { Injectable } from '@nestjs/common';
import { PrismaService, readSnapshot, type AuditLog, type Prisma } from '@switchboard/db';

export interface AuditFilter {
  entity?: string;
  entityId?: string;
  action?: string;
  actor?: string;
  from?: Date;
  to?: Date;
}

/** What the audit query needs of audit_logs; unit tests implement it in memory. */
export type AuditLogs = Pick<AuditLogRepository, keyof AuditLogRepository>;

/** Reads of audit_logs (each service writes its own entries with recordAudit, in its transaction). */
@Injectable()
export class AuditLogRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Newest first, with the count over the whole filter, in one snapshot. */
  async page(filter: AuditFilter, limit: number, offset: number): Promise<{ rows: AuditLog[]; total: number }> {
    const where: Prisma.AuditLogWhereInput = {
      entity: filter.entity,
      entityId: filter.entityId,
      action: filter.action,
      actor: filter.actor,
      createdAt: filter.from || filter.to ? { gte: filter.from, lte: filter.to } : undefined,
    };
    return readSnapshot(this.prisma, async (tx) => ({
      rows: await tx.auditLog.findMany({ where, orderBy: { id: 'desc' }, take: limit, skip: offset }),
      total: await tx.auditLog.count({ where }),
    }));
  }
}
