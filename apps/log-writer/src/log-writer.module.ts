import { Module } from '@nestjs/common';
import { AuditLogRepository } from './audit/audit-log.repository';
import { AuditQueryService } from './audit/audit-query.service';
import { LogWriterRpcController } from './log-writer.rpc-controller';
import { LogQueryService } from './logs/log-query.service';
import { RequestLogRepository } from './logs/request-log.repository';
import { LogRetentionService } from './retention/log-retention.service';
import { LogStatsRepository } from './stats/log-stats.repository';
import { LogStatsService } from './stats/log-stats.service';
import { UsageDeadLetterQueryService } from './usage/usage-dead-letter-query.service';
import { UsageDeadLetterRepository } from './usage/usage-dead-letter.repository';
import { UsageLogConsumer } from './usage/usage-log.consumer';

/** Request logs (from the durable usage queue), usage dead letters, audit log queries, statistics, retention. */
@Module({
  controllers: [LogWriterRpcController],
  providers: [
    RequestLogRepository,
    AuditLogRepository,
    LogStatsRepository,
    UsageDeadLetterRepository,
    UsageLogConsumer,
    LogQueryService,
    AuditQueryService,
    LogStatsService,
    LogRetentionService,
    UsageDeadLetterQueryService,
  ],
})
export class LogWriterModule {}
