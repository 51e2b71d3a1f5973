import { Module } from '@nestjs/common';
import { AuditQueryService } from './audit/audit-query.service';
import { LogWriterRpcController } from './log-writer.rpc-controller';
import { LogQueryService } from './logs/log-query.service';
import { LogRetentionService } from './retention/log-retention.service';
import { LogStatsService } from './stats/log-stats.service';
import { UsageDeadLetterQueryService } from './usage/usage-dead-letter-query.service';
import { UsageLogConsumer } from './usage/usage-log.consumer';

/** Request logs (from the durable usage queue), usage dead letters, audit log queries, statistics, retention. */
@Module({
  controllers: [LogWriterRpcController],
  providers: [UsageLogConsumer, LogQueryService, AuditQueryService, LogStatsService, LogRetentionService, UsageDeadLetterQueryService],
})
export class LogWriterModule {}
