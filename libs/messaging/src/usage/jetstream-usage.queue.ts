import { Logger } from '@nestjs/common';
import { Subjects, UsageRecord, UsageRecordBatch, UsageStream } from '@switchboard/contracts';
import { processMetrics } from '@switchboard/observability';
import {
  AckPolicy,
  DeliverPolicy,
  JSONCodec,
  RetentionPolicy,
  StorageType,
  connect,
  type ConnectionOptions,
  type JetStreamClient,
  type JsMsg,
  type NatsConnection,
} from 'nats';
import { backoffMs, sleep, type UsageBatchHandler, type UsageQueue } from './usage-queue';

const codec = JSONCodec<unknown>();
const MAX_RECORDS_PER_MESSAGE = 200;
const MAX_RECORDS_PER_HANDLER = 400;
/**
 * At most one message per this interval while records keep coming (unless a full message is waiting or a flush is
 * asked): a publish costs the gateway a socket write, an ack to read and a request's promise machinery whatever the
 * message holds. After a quiet moment the first record goes out at once.
 */
const PUBLISH_INTERVAL_MS = 50;

/**
 * Cluster mode's usage queue on NATS JetStream. publish() buffers in memory (bounded) and a background loop
 * publishes with msgID = requestId (JetStream de-duplicates a resend) until the stream acknowledges it, so a
 * NATS outage delays records instead of losing them. Consumers are durable with explicit ack, acknowledged
 * only after the handler's database commit.
 */
export class JetStreamUsageQueue implements UsageQueue {
  private readonly logger = new Logger(JetStreamUsageQueue.name);
  private readonly buffer: UsageRecord[] = [];
  private sending = false;
  private lastPublishAt = 0;
  /** ends the wait between two publishes early (flush) */
  private wake: (() => void) | null = null;
  private urgent = 0;
  private closed = false;
  private dropped = 0;
  private readonly loops: Promise<void>[] = [];
  private constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly maxBuffer: number,
  ) {
    // switchboard_usage_records_buffered follows the buffer itself (read at each scrape), so it drops back to 0 once
    // NATS has everything.
    processMetrics().trackUsageBuffered(this);
  }

  /** `server`: a URL, or the process' connection options (credentials, TLS, inbox prefix). */
  static async connect(server: string | ConnectionOptions, name: string, maxBuffer = 100_000): Promise<JetStreamUsageQueue> {
    const options = typeof server === 'string' ? { servers: server } : server;
    const nc = await connect({ ...options, name: `${name}-usage`, maxReconnectAttempts: -1, reconnectTimeWait: 500 });
    const q = new JetStreamUsageQueue(nc, nc.jetstream(), maxBuffer);
    await q.ensureStream();
    return q;
  }

  private async ensureStream(): Promise<void> {
    const jsm = await this.nc.jetstreamManager();
    const config = {
      name: UsageStream.name,
      subjects: [...UsageStream.subjects],
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      max_age: 7 * 24 * 3600 * 1e9,
      duplicate_window: 10 * 60 * 1e9,
    };
    try {
      await jsm.streams.info(UsageStream.name);
      await jsm.streams.update(UsageStream.name, config);
    } catch {
      await jsm.streams.add(config);
    }
  }

  publish(record: UsageRecord): void {
    if (this.buffer.length >= this.maxBuffer) {
      // Bounded by design; the metric makes the growth visible long before this happens.
      this.buffer.shift();
      this.dropped++;
      this.logger.error(`usage buffer full (${this.maxBuffer}); dropped the oldest record (${this.dropped} so far)`);
    }
    this.buffer.push(record);
    if (!this.sending) void this.sendLoop();
    else if (this.buffer.length >= MAX_RECORDS_PER_MESSAGE) this.wake?.();
  }

  pending(): number {
    return this.buffer.length;
  }

  /**
   * One JetStream message per batch of whatever records are waiting (up to 200): one publish and one ack instead of
   * one per request (a publish per record was ~10% of the gateway's CPU). The message id names the batch's first and
   * last request ids, so a resend of the same batch is de-duplicated; consumers are idempotent by request id anyway.
   */
  private async sendLoop(): Promise<void> {
    this.sending = true;
    let attempt = 0;
    while (this.buffer.length && !this.closed) {
      const wait = this.lastPublishAt + PUBLISH_INTERVAL_MS - Date.now();
      if (wait > 0 && this.buffer.length < MAX_RECORDS_PER_MESSAGE && !this.urgent) {
        await new Promise<void>((r) => {
          this.wake = r;
          setTimeout(r, wait).unref?.();
        });
        this.wake = null;
        if (this.closed) break;
      }
      this.lastPublishAt = Date.now();
      const batch = this.buffer.slice(0, MAX_RECORDS_PER_MESSAGE);
      try {
        const msgID = `b:${batch[0]!.requestId}:${batch[batch.length - 1]!.requestId}:${batch.length}`;
        await this.js.publish(Subjects.UsageRecordedBatch, codec.encode({ records: batch }), { msgID, timeout: 5_000 });
        this.buffer.splice(0, batch.length);
        attempt = 0;
      } catch (err) {
        this.logger.warn(`usage publish failed (${this.buffer.length} buffered): ${(err as Error).message}`);
        await sleep(backoffMs(attempt++));
      }
    }
    this.sending = false;
  }

  async consume(durable: string, handler: UsageBatchHandler): Promise<void> {
    const jsm = await this.nc.jetstreamManager();
    try {
      await jsm.consumers.info(UsageStream.name, durable);
    } catch {
      await jsm.consumers.add(UsageStream.name, {
        durable_name: durable,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        ack_wait: 30 * 1e9,
        max_ack_pending: 10_000,
      });
    }
    this.loops.push(this.consumeLoop(durable, handler));
  }

  private async consumeLoop(durable: string, handler: UsageBatchHandler): Promise<void> {
    let attempt = 0;
    while (!this.closed) {
      try {
        const consumer = await this.js.consumers.get(UsageStream.name, durable);
        const iter = await consumer.fetch({ max_messages: 50, expires: 1_000 });
        const msgs: JsMsg[] = [];
        for await (const m of iter) msgs.push(m);
        if (!msgs.length) continue;
        // Handler calls of at most ~MAX_RECORDS_PER_HANDLER records (each message may hold many), acked per group.
        let group: JsMsg[] = [];
        let records: UsageRecord[] = [];
        const flush = async () => {
          if (!group.length) return;
          const [msgsNow, recsNow] = [group, records];
          group = [];
          records = [];
          try {
            if (recsNow.length) await handler(recsNow);
            for (const m of msgsNow) m.ack();
            attempt = 0;
          } catch (err) {
            this.logger.warn(`${durable}: batch failed, will be redelivered: ${(err as Error).message}`);
            for (const m of msgsNow) m.nak(backoffMs(attempt));
            await sleep(backoffMs(attempt++));
          }
        };
        for (const m of msgs) {
          const data = codec.decode(m.data);
          const parsed = m.subject === Subjects.UsageRecordedBatch ? UsageRecordBatch.safeParse(data) : UsageRecord.safeParse(data);
          if (!parsed.success) {
            this.logger.error(`dropping a malformed usage message: ${parsed.error.message}`);
            m.term();
            continue;
          }
          const got = 'records' in parsed.data ? parsed.data.records : [parsed.data];
          if (records.length && records.length + got.length > MAX_RECORDS_PER_HANDLER) await flush();
          group.push(m);
          records.push(...got);
        }
        await flush();
      } catch (err) {
        if (this.closed) break;
        this.logger.warn(`${durable}: fetch failed: ${(err as Error).message}`);
        await sleep(backoffMs(attempt++));
      }
    }
  }

  async flush(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    this.urgent++;
    this.wake?.();
    try {
      while (this.buffer.length && Date.now() < deadline) await sleep(20);
    } finally {
      this.urgent--;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    processMetrics().untrackUsageBuffered(this);
    await Promise.race([Promise.allSettled(this.loops), sleep(1_500)]);
    await this.nc.drain().catch(() => this.nc.close());
  }
}
