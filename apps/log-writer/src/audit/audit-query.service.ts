import { Injectable } from '@nestjs/common';
import type { AdminReply } from '@switchboard/contracts';
import { PrismaService } from '@switchboard/db';
import { z } from 'zod';

const AuditQuery = z.object({
  entity: z.string().optional(),
  entityId: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

@Injectable()
export class AuditQueryService {
  constructor(private readonly prisma: PrismaService) {}

  async list(query: Record<string, string>): Promise<AdminReply> {
    const q = AuditQuery.parse(query);
    const where = { entity: q.entity, entityId: q.entityId };
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
