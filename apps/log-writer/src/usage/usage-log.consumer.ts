import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { UsageStream, type UsageRecord } from '@switchboard/contracts';
import { Prisma, PrismaService, storeUsageDeadLetters } from '@switchboard/db';
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
    await this.queue.consume(
      UsageStream.consumers.logWriter,
      (records) => this.store(records),
      (consumer, letters) => storeUsageDeadLetters(this.prisma, consumer, letters),
    );
  }

  async store(records: UsageRecord[]): Promise<void> {
    // One statement with one parameter: the batch as a JSON array of rows, spread by json_populate_recordset into the
    // table's own column types. Prisma's createMany built and checked every field of every row in JS (and its query
    // compiler): the largest CPU cost of usage records on the gateway's event loop in standalone.
    const rows = requestLogRows(records);
    const count = await this.prisma.$executeRaw`
      INSERT INTO request_logs (${COLUMN_LIST})
      SELECT ${COLUMN_LIST} FROM json_populate_recordset(NULL::request_logs, ${rows}::json)
      ON CONFLICT ("requestId") DO NOTHING`;
    const m = processMetrics().usageProcessed;
    m.inc({ consumer: 'log-writer', result: 'stored' }, count);
    m.inc({ consumer: 'log-writer', result: 'duplicate' }, records.length - count);
  }
}

/** request_logs' columns, each written from the field of the same name */
const COLUMNS = [
  'requestId',
  'createdAt',
  'tokenId',
  'userId',
  'group',
  'model',
  'upstreamModel',
  'channelId',
  'protocol',
  'upstreamProtocol',
  'stream',
  'status',
  'promptTokens',
  'completionTokens',
  'cacheReadTokens',
  'cacheWriteTokens',
  'reasoningTokens',
  'costMicros',
  'latencyMs',
  'ttftMs',
  'attempts',
  'error',
] as const satisfies readonly (keyof UsageRecord)[];
const COLUMN_LIST = Prisma.raw(COLUMNS.map((c) => `"${c}"`).join(', '));

/** A batch as a JSON array of request_logs rows: createdAt in UTC ISO (the column holds UTC, as Prisma writes it). */
function requestLogRows(records: UsageRecord[]): string {
  return JSON.stringify(
    records.map((r) => ({ ...r, createdAt: new Date(r.createdAt).toISOString() })),
    COLUMNS as unknown as string[], // only the table's columns
  );
}
