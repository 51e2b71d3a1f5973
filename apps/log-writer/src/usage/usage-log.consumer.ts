import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { UsageStream, type UsageRecord } from '@switchboard/contracts';
import { USAGE_QUEUE, type UsageQueue } from '@switchboard/messaging';
import { processMetrics } from '@switchboard/observability';
import { RequestLogRepository, type RequestLogs } from '../logs/request-log.repository';
import { UsageDeadLetterRepository, type UsageDeadLetters } from './usage-dead-letter.repository';

/** Stores usage records as request logs in batches; the request id is the primary key, so redelivery is a no-op. */
@Injectable()
export class UsageLogConsumer implements OnApplicationBootstrap {
  constructor(
    @Inject(RequestLogRepository) private readonly logs: RequestLogs,
    @Inject(UsageDeadLetterRepository) private readonly deadLetters: UsageDeadLetters,
    @Inject(USAGE_QUEUE) private readonly queue: UsageQueue,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.queue.consume(
      UsageStream.consumers.logWriter,
      (records) => this.store(records),
      (consumer, letters) => this.deadLetters.store(consumer, letters),
    );
  }

  async store(records: UsageRecord[]): Promise<void> {
    const count = await this.logs.insertNew(records);
    const m = processMetrics().usageProcessed;
    m.inc({ consumer: 'log-writer', result: 'stored' }, count);
    m.inc({ consumer: 'log-writer', result: 'duplicate' }, records.length - count);
  }
}
