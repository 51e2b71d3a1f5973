import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { Subjects, UsageRejected, UsageStream, type UsageRecord } from '@switchboard/contracts';
import { processMetrics } from '@switchboard/observability';
import {
  AckPolicy,
  DeliverPolicy,
  Events,
  JSONCodec,
  RetentionPolicy,
  StorageType,
  connect,
  type ConnectionOptions,
  type JetStreamClient,
  type JsMsg,
  type NatsConnection,
} from 'nats';
import { UsageOutbox } from './usage-outbox.file';
import { bodyCharsOf, checkUsageRecord, RejectedRecord, rejectedLetter, validateForPublish, type SpoolEntry } from './usage-spool.format';
import {
  backoffMs,
  commitOrDeadLetter,
  MAX_BATCH_ATTEMPTS,
  requestIdOf,
  sleep,
  type DeadLetter,
  type DeadLetterSink,
  type UsageBatchHandler,
  type UsageQueue,
} from './usage-queue';

const codec = JSONCodec<unknown>();
const MAX_RECORDS_PER_MESSAGE = 200;
const MAX_RECORDS_PER_HANDLER = 400;
/** the logged bodies one message carries at most besides its first record's (NATS' default payload limit is 1 MiB) */
const MAX_BODY_CHARS_PER_MESSAGE = 256 * 1024;
/**
 * At most one message per this interval while records keep coming (unless a full message is waiting or a flush is
 * asked): a publish costs the gateway a socket write, an ack to read and a request's promise machinery whatever the
 * message holds. After a quiet moment the first record goes out at once.
 */
const PUBLISH_INTERVAL_MS = 50;
/**
 * Deliveries of one message to a durable consumer. A batch that fails is retried in place (the message kept in
 * progress), so deliveries only add up when a consumer dies or stops holding it; the last one dead-letters whatever
 * still fails instead of the message being redelivered forever.
 */
export const MAX_DELIVER = 10;

export interface JetStreamUsageQueueOptions {
  /** records held while NATS does not take them; the oldest are dropped beyond (switchboard_usage_records_dropped_total) */
  maxBuffer?: number;
  /** the gateway's spool (DATA_DIR, a name unique among the gateways sharing it): records wait on disk while NATS is down */
  spool?: { dataDir: string; name: string };
}

/**
 * Cluster mode's usage queue on NATS JetStream. publish() buffers in memory (bounded) and a background loop
 * publishes with a msgID (JetStream de-duplicates a resend) until the stream acknowledges it. While NATS is unreachable
 * the gateway also writes what waits to its spool (UsageOutbox), so records survive a gateway that dies during the
 * outage and are sent after its restart; while NATS answers, nothing is written to disk (no cost per request).
 * Consumers are durable with explicit ack, acknowledged only after the handler's database commit.
 */
export class JetStreamUsageQueue implements UsageQueue {
  private readonly logger = new Logger(JetStreamUsageQueue.name);
  private readonly buffer: SpoolEntry[] = [];
  private readonly maxBuffer: number;
  private readonly outbox: UsageOutbox | null;
  /** NATS is (or was lately) unreachable: every buffered entry is also in the outbox, until the buffer empties */
  private spooling = false;
  private nc: NatsConnection | null = null;
  private js: JetStreamClient | null = null;
  private readonly ready: Promise<void>;
  private sending = false;
  private lastPublishAt = 0;
  /** ends the wait between two publishes early (flush) */
  private wake: (() => void) | null = null;
  private urgent = 0;
  private closed = false;
  private dropped = 0;
  private readonly loops: Promise<void>[] = [];

  private constructor(connecting: Promise<NatsConnection>, opts: JetStreamUsageQueueOptions, retryStream: boolean) {
    this.maxBuffer = opts.maxBuffer ?? 100_000;
    this.outbox = opts.spool ? new UsageOutbox(opts.spool.dataDir, opts.spool.name) : null;
    if (this.outbox) {
      this.buffer.push(...this.outbox.replay());
      // Until NATS has answered, what is published waits on disk too.
      this.spooling = true;
    }
    this.ready = connecting.then(async (nc) => {
      if (this.closed) {
        await nc.close();
        throw new Error('usage queue closed');
      }
      this.nc = nc;
      this.js = nc.jetstream();
      void this.watch(nc);
      for (let attempt = 0; ; attempt++) {
        try {
          await this.ensureStream(nc);
          break;
        } catch (e) {
          if (!retryStream || this.closed) throw e;
          this.logger.warn(`usage stream not ready: ${(e as Error).message}`);
          await sleep(backoffMs(attempt));
        }
      }
      if (!this.buffer.length) this.spooling = false;
      else if (!this.sending) void this.sendLoop();
    });
    this.ready.catch(() => undefined);
    // switchboard_usage_records_buffered follows the buffer itself (read at each scrape), so it drops back to 0 once
    // NATS has everything.
    processMetrics().trackUsageBuffered(this);
  }

  /**
   * Connected, with the stream in place, or throws (the consuming services: they cannot work without NATS).
   * `server`: a URL, or the process' connection options (credentials, TLS, inbox prefix).
   */
  static async connect(server: string | ConnectionOptions, name: string, opts: JetStreamUsageQueueOptions = {}): Promise<JetStreamUsageQueue> {
    const q = new JetStreamUsageQueue(connect(connectOptions(server, name, false)), opts, false);
    await q.ready;
    return q;
  }

  /**
   * Usable at once, connecting in the background (the gateway: it serves while NATS is down, and its records wait in
   * the spool given in opts until NATS answers).
   */
  static open(server: string | ConnectionOptions, name: string, opts: JetStreamUsageQueueOptions = {}): JetStreamUsageQueue {
    const connecting = connect(connectOptions(server, name, true));
    connecting.catch((e: unknown) => new Logger(JetStreamUsageQueue.name).error(`NATS connection failed: ${(e as Error).message}`));
    return new JetStreamUsageQueue(connecting, opts, true);
  }

  private async ensureStream(nc: NatsConnection): Promise<void> {
    const jsm = await nc.jetstreamManager();
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

  /** A disconnect starts spooling at once, rather than after a publish has timed out. */
  private async watch(nc: NatsConnection): Promise<void> {
    for await (const s of nc.status()) {
      if (s.type === Events.Disconnect) this.startSpooling();
      else if (s.type === Events.Reconnect && !this.buffer.length) this.spooling = false;
    }
  }

  private startSpooling(): void {
    if (!this.outbox || this.spooling || this.closed) return;
    this.spooling = true;
    this.outbox.append(this.buffer);
  }

  publish(record: UsageRecord): void {
    const entry = validateForPublish(record);
    if (this.buffer.length >= this.maxBuffer) {
      // Bounded by design; the metrics make the growth visible long before this happens.
      this.buffer.shift();
      if (this.spooling) this.outbox!.done(1);
      this.dropped++;
      processMetrics().usageDropped.inc();
      this.logger.error(`usage buffer full (${this.maxBuffer}); dropped the oldest record (${this.dropped} so far)`);
    }
    this.buffer.push(entry);
    if (this.spooling) this.outbox!.append([entry]);
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
   * A record rejected at publish goes alone on usage.recorded.rejected.v1, for the consumers to dead-letter.
   */
  private async sendLoop(): Promise<void> {
    this.sending = true;
    try {
      await this.ready;
    } catch {
      this.sending = false;
      return;
    }
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
      const head = this.buffer[0];
      const droppedBefore = this.dropped;
      let n = 1;
      try {
        if (head instanceof RejectedRecord) {
          const msgID = `x:${requestIdOf(head.rejected.record) ?? randomUUID()}`;
          await this.js!.publish(Subjects.UsageRejected, codec.encode(head.rejected), { msgID, timeout: 5_000 });
        } else {
          // Records with logged bodies (up to 2 × 256 KiB each) end a batch early, so a message stays under NATS' payload limit.
          let bodyChars = bodyCharsOf(head);
          while (n < MAX_RECORDS_PER_MESSAGE && n < this.buffer.length && !(this.buffer[n] instanceof RejectedRecord)) {
            const more = bodyCharsOf(this.buffer[n]);
            if (more && bodyChars + more > MAX_BODY_CHARS_PER_MESSAGE) break;
            bodyChars += more;
            n++;
          }
          const batch = this.buffer.slice(0, n) as UsageRecord[];
          const msgID = `b:${batch[0].requestId}:${batch[n - 1].requestId}:${n}`;
          await this.js!.publish(Subjects.UsageRecordedBatch, codec.encode({ records: batch }), { msgID, timeout: 5_000 });
        }
        // The batch is the buffer's head, less what an overflow dropped from it while this publish was out.
        const sent = Math.max(0, n - (this.dropped - droppedBefore));
        this.buffer.splice(0, sent);
        if (this.spooling) {
          this.outbox!.done(sent);
          if (!this.buffer.length) this.spooling = false;
        }
        attempt = 0;
      } catch (err) {
        this.logger.warn(`usage publish failed (${this.buffer.length} buffered): ${(err as Error).message}`);
        this.startSpooling();
        await sleep(backoffMs(attempt++));
      }
    }
    this.sending = false;
  }

  async consume(durable: string, handler: UsageBatchHandler, deadLetter: DeadLetterSink): Promise<void> {
    await this.ready;
    const jsm = await this.nc!.jetstreamManager();
    const limits = { ack_wait: 30 * 1e9, max_ack_pending: 10_000, max_deliver: MAX_DELIVER };
    let exists = true;
    try {
      await jsm.consumers.info(UsageStream.name, durable);
    } catch {
      exists = false;
    }
    if (exists) await jsm.consumers.update(UsageStream.name, durable, limits);
    else await jsm.consumers.add(UsageStream.name, { durable_name: durable, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All, ...limits });
    this.loops.push(this.consumeLoop(durable, handler, deadLetter));
  }

  private async consumeLoop(durable: string, handler: UsageBatchHandler, deadLetter: DeadLetterSink): Promise<void> {
    let attempt = 0;
    while (!this.closed) {
      try {
        const consumer = await this.js!.consumers.get(UsageStream.name, durable);
        const iter = await consumer.fetch({ max_messages: 50, expires: 1_000 });
        const msgs: JsMsg[] = [];
        for await (const m of iter) msgs.push(m);
        if (!msgs.length) continue;
        // Handler calls of at most ~MAX_RECORDS_PER_HANDLER records (each message may hold many), acked per group.
        let group: JsMsg[] = [];
        let records: UsageRecord[] = [];
        let letters: DeadLetter[] = [];
        const flush = async () => {
          if (!group.length) return;
          const [msgsNow, recsNow, lettersNow] = [group, records, letters];
          group = [];
          records = [];
          letters = [];
          await this.commitGroup(durable, handler, deadLetter, msgsNow, recsNow, lettersNow);
        };
        for (const m of msgs) {
          const got = decodeUsageMessage(m);
          if (records.length && records.length + got.records.length > MAX_RECORDS_PER_HANDLER) await flush();
          group.push(m);
          records.push(...got.records);
          letters.push(...got.letters);
        }
        await flush();
        attempt = 0;
      } catch (err) {
        if (this.closed) break;
        this.logger.warn(`${durable}: fetch failed: ${(err as Error).message}`);
        await sleep(backoffMs(attempt++));
      }
    }
  }

  /**
   * Commits a group of messages' records, retrying in place while nothing can be committed (the database is down):
   * the messages stay in progress, so an outage does not use up their deliveries. Acknowledged once everything is
   * committed or dead-lettered; given back (nak) only when the queue closes first.
   */
  private async commitGroup(
    durable: string,
    handler: UsageBatchHandler,
    sink: DeadLetterSink,
    msgs: JsMsg[],
    records: UsageRecord[],
    letters: DeadLetter[],
  ): Promise<void> {
    const lastDelivery = msgs.some((m) => m.info.deliveryCount >= MAX_DELIVER);
    for (let attempt = 0; !this.closed; attempt++) {
      try {
        await commitOrDeadLetter(durable, handler, sink, records, letters, lastDelivery || attempt >= MAX_BATCH_ATTEMPTS - 1);
        for (const m of msgs) m.ack();
        return;
      } catch (err) {
        this.logger.warn(`${durable}: batch failed, retrying: ${(err as Error).message}`);
        for (const m of msgs) m.working();
        await sleep(backoffMs(attempt));
      }
    }
    for (const m of msgs) m.nak();
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
    const unreachable = this.spooling;
    // What NATS has not taken yet waits in the spool for the next start.
    this.startSpooling();
    this.closed = true;
    this.wake?.();
    this.outbox?.close();
    processMetrics().untrackUsageBuffered(this);
    await Promise.race([Promise.allSettled(this.loops), sleep(1_500)]);
    const nc = this.nc;
    // Draining would wait for a server that is gone, and send a publish it buffered after the spool has it.
    if (nc && unreachable && this.outbox) await nc.close();
    else if (nc) await nc.drain().catch(() => nc.close());
  }
}

function connectOptions(server: string | ConnectionOptions, name: string, waitOnFirstConnect: boolean): ConnectionOptions {
  const options = typeof server === 'string' ? { servers: server } : server;
  return { ...options, name: `${name}-usage`, maxReconnectAttempts: -1, reconnectTimeWait: 500, waitOnFirstConnect };
}

/** A message's valid records, and what in it cannot be read as one (each kept as a dead letter, never dropped). */
function decodeUsageMessage(m: JsMsg): { records: UsageRecord[]; letters: DeadLetter[] } {
  let data: unknown;
  try {
    data = codec.decode(m.data);
  } catch (e) {
    return {
      records: [],
      letters: [{ record: new TextDecoder().decode(m.data.subarray(0, 65_536)), error: `unreadable usage message on ${m.subject}: ${(e as Error).message}` }],
    };
  }
  if (m.subject === Subjects.UsageRejected) {
    const r = UsageRejected.safeParse(data);
    return { records: [], letters: [r.success ? rejectedLetter(r.data) : { record: data, error: 'malformed usage.recorded.rejected message' }] };
  }
  const items = m.subject === Subjects.UsageRecordedBatch ? (data as { records?: unknown } | null)?.records : [data];
  if (!Array.isArray(items)) return { records: [], letters: [{ record: data, error: `malformed usage message on ${m.subject}` }] };
  const records: UsageRecord[] = [];
  const letters: DeadLetter[] = [];
  for (const item of items) {
    const checked = checkUsageRecord(item);
    if (typeof checked === 'string') letters.push({ record: item, error: checked });
    else records.push(checked);
  }
  return { records, letters };
}
