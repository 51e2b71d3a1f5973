import { Controller, UseFilters } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { AdminRequest, Subjects, notFound } from '@switchboard/contracts';
import { RpcErrorFilter } from '@switchboard/messaging';
import { AuditQueryService } from './audit/audit-query.service';
import { LogQueryService } from './logs/log-query.service';
import { LogStatsService } from './stats/log-stats.service';
import { UsageDeadLetterQueryService } from './usage/usage-dead-letter-query.service';

@Controller()
@UseFilters(RpcErrorFilter)
export class LogWriterRpcController {
  constructor(
    private readonly logs: LogQueryService,
    private readonly audit: AuditQueryService,
    private readonly stats: LogStatsService,
    private readonly deadLetters: UsageDeadLetterQueryService,
  ) {}

  @MessagePattern(Subjects.LogsAdmin)
  adminOp(@Payload() payload: unknown) {
    const req = AdminRequest.parse(payload);
    switch (`${req.resource}.${req.op}`) {
      case 'logs.list':
        return this.logs.list(req.query);
      case 'logs.get':
        return this.logs.get(req.id);
      case 'stats.get':
        return this.stats.stats(req.query);
      case 'audit.list':
        return this.audit.list(req.query);
      case 'usage-dead-letters.list':
        return this.deadLetters.list(req.query);
      default:
        throw notFound(`admin operation ${req.resource}.${req.op}`);
    }
  }
}
