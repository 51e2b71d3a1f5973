import { Inject, Injectable } from '@nestjs/common';
import type { AuditListQuery } from '@switchboard/contracts';
import type { z } from 'zod';
import { AuditLogRepository, type AuditLogs } from './audit-log.repository';

/** `GET /api/audit`: every admin change, newest first; filters entity, entityId, action, actor, from, to. */
@Injectable()
export class AuditQueryService {
  constructor(@Inject(AuditLogRepository) private readonly audit: AuditLogs) {}

  async list(q: z.output<typeof AuditListQuery>) {
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
