import { Injectable } from '@nestjs/common';
import type { AuditListQuery } from '@switchboard/contracts';
import { PrismaService, type Prisma } from '@switchboard/db';
import type { z } from 'zod';

/** `GET /api/audit`: every admin change, newest first; filters entity, entityId, action, actor, from, to. */
@Injectable()
export class AuditQueryService {
  constructor(private readonly prisma: PrismaService) {}

  async list(q: z.output<typeof AuditListQuery>) {
    const where: Prisma.AuditLogWhereInput = {
      entity: q.entity,
      entityId: q.entityId,
      action: q.action,
      actor: q.actor,
      createdAt: q.from || q.to ? { gte: q.from ? new Date(q.from) : undefined, lte: q.to ? new Date(q.to) : undefined } : undefined,
    };
    const [rows, total] = await Promise.all([
      this.prisma.auditLog.findMany({ where, orderBy: { id: 'desc' }, take: q.limit, skip: q.offset }),
      this.prisma.auditLog.count({ where }),
    ]);
    return {
      data: rows.map((r) => ({
        id: Number(r.id),
        actor: r.actor,
        action: r.action,
        entity: r.entity,
        entityId: r.entityId,
        before: r.before,
        after: r.after,
        createdAt: r.createdAt.toISOString(),
      })),
      total,
    };
  }
}
