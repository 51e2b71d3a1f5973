import { Inject, Injectable } from '@nestjs/common';
import type { AdminReply } from '@switchboard/contracts';
import { z } from 'zod';
import { AuditLogRepository, type AuditLogs } from './audit-log.repository';

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
  constructor(@Inject(AuditLogRepository) private readonly audit: AuditLogs) {}

  async list(query: Record<string, string>): Promise<AdminReply> {
    const q = AuditQuery.parse(query);
    const { rows, total } = await this.audit.page(
      {
        entity: q.entity,
        entityId: q.entityId,
        action: q.action,
        actor: q.actor,
        from: q.from ? new Date(q.from) : undefined,
        to: q.to ? new Date(q.to) : undefined,
      },
      q.limit,
      q.offset,
    );
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
