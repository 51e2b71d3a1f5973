import { Subjects, type AdminHandlers } from '@switchboard/contracts';
import type { AuditQueryService } from './audit/audit-query.service';
import type { LogQueryService } from './logs/log-query.service';
import type { LogStatsService } from './stats/log-stats.service';
import type { UsageDeadLetterQueryService } from './usage/usage-dead-letter-query.service';

export interface LogWriterAdminServices {
  logs: LogQueryService;
  audit: AuditQueryService;
  stats: LogStatsService;
  deadLetters: UsageDeadLetterQueryService;
}

/** logs.admin.v1: one handler per logs/stats/audit/dead-letters route of ADMIN_ROUTES; an org admin's logs and stats are its org's. */
export function logWriterAdminHandlers(s: LogWriterAdminServices): AdminHandlers<typeof Subjects.LogsAdmin> {
  return {
    'logs.list': (c) => s.logs.list(c.query, c.actorOrgId ?? null),
    'logs.get': (c) => s.logs.get(c.id, c.actorOrgId ?? null),
    'stats.get': (c) => s.stats.stats(c.query, c.actorOrgId ?? null),
    'audit.list': (c) => s.audit.list(c.query),
    'usage-dead-letters.list': (c) => s.deadLetters.list(c.query),
  };
}
