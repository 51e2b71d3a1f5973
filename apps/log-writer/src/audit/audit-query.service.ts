import { Injectable } from '@nestjs/common';
import type { AdminReply } from '@switchboard/contracts';
import { PrismaService, type Prisma } from '@switchboard/db';
import { z } from 'zod';

const AuditQuery = z.object({
  entity: z.enum(['channel', 'token', 'user', 'group', 'price', 'alias', 'redemption']).optional(),
  entityId: z.string().optional(),
  action: z.enum(['create', 'update', 'delete']).optional(),
  actor: z.string().optional(),
  from: z.string().datetime({ offset: true }).optional(),
  to: z.string().datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

/** `GET /api/audit`: every admin change, newest first; filters entity, entityId, action, actor, from, to. */
@Injectable()
export class AuditQueryService {
  constructor(private readonly prisma: PrismaService) {}

  async list(query: Record<string, string>): Promise<AdminReply> {
    const q = AuditQuery.parse(query);
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
      status: 200,
      body: {
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
      },
    };
  }
}
