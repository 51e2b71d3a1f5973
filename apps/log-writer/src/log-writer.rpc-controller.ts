import { Controller, UseFilters } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { Subjects } from '@switchboard/contracts';
import { AdminDispatcher, RpcErrorFilter } from '@switchboard/messaging';
import { AuditQueryService } from './audit/audit-query.service';
import { logWriterAdminHandlers } from './log-writer-admin.handlers';
import { LogQueryService } from './logs/log-query.service';
import { LogStatsService } from './stats/log-stats.service';
import { UsageDeadLetterQueryService } from './usage/usage-dead-letter-query.service';

@Controller()
@UseFilters(RpcErrorFilter)
export class LogWriterRpcController {
  private readonly admin;

  constructor(logs: LogQueryService, audit: AuditQueryService, stats: LogStatsService, deadLetters: UsageDeadLetterQueryService) {
    this.admin = new AdminDispatcher(Subjects.LogsAdmin, logWriterAdminHandlers({ logs, audit, stats, deadLetters }));
  }

  @MessagePattern(Subjects.LogsAdmin)
  adminOp(@Payload() payload: unknown) {
    return this.admin.dispatch(payload);
  }
}
