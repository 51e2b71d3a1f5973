import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { UsageStream, type UsageRecord } from '@switchboard/contracts';
import { PrismaService } from '@switchboard/db';
import { USAGE_QUEUE, type UsageQueue } from '@switchboard/messaging';
import { processMetrics } from '@switchboard/observability';

/** Stores usage records as request logs in batches; the request id is the primary key, so redelivery is a no-op. */
@Injectable()
export class UsageLogConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly prisma: PrismaService,
    @Inject(USAGE_QUEUE) private readonly queue: UsageQueue,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.queue.consume(UsageStream.consumers.logWriter, (records) => this.store(records));
  }

  async store(records: UsageRecord[]): Promise<void> {
    const { count } = await this.prisma.requestLog.createMany({
      data: records.map((r) => ({
        requestId: r.requestId,
        createdAt: new Date(r.createdAt),
        tokenId: r.tokenId,
        userId: r.userId,
        group: r.group,
        model: r.model,
        upstreamModel: r.upstreamModel,
        channelId: r.channelId,
        protocol: r.protocol,
        upstreamProtocol: r.upstreamProtocol,
        stream: r.stream,
        status: r.status,
        promptTokens: r.promptTokens,
        completionTokens: r.completionTokens,
        cacheReadTokens: r.cacheReadTokens,
        cacheWriteTokens: r.cacheWriteTokens,
        reasoningTokens: r.reasoningTokens,
        costMicros: BigInt(r.costMicros),
        latencyMs: r.latencyMs,
        ttftMs: r.ttftMs,
        attempts: r.attempts,
        error: r.error,
      })),
      skipDuplicates: true,
    });
    const m = processMetrics().usageProcessed;
    m.inc({ consumer: 'log-writer', result: 'stored' }, count);
    m.inc({ consumer: 'log-writer', result: 'duplicate' }, records.length - count);
  }
}
