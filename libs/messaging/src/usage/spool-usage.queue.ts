import fs from 'node:fs';
import path from 'node:path';
import { Logger } from '@nestjs/common';
import type { UsageRecord } from '@switchboard/contracts';
import { backoffMs, commitOrDeadLetter, MAX_BATCH_ATTEMPTS, sleep, type DeadLetterSink, type UsageBatchHandler, type UsageQueue } from './usage-queue';
import { bodyCharsOf, readSpoolFile, splitEntries, spoolLine, validateForPublish, type SpoolEntry } from './usage-spool.format';

interface Consumer {
  durable: string;
  handler: UsageBatchHandler;
  deadLetter: DeadLetterSink;
  queue: SpoolEntry[];
  running: boolean;
  attempt: number;
}

/**
 * How long a consumer lets records gather before it takes a batch (unless a full batch is already waiting).
 * Standalone runs billing and log-writer on the gateway's own event loop against embedded Postgres (PGlite, WASM,
 * through Prisma): a transaction per record cost ~10 ms of CPU per request and stalled the relay (bench/ab.mjs,
 * concurrency 1: 115 req/s, p50 8.1 ms before; 467 req/s, p50 0.9 ms with 50 ms batches). Longer windows mean
 * bigger batches and fewer stalls of the relay's event loop: against 50 ms, 250 ms cut CPU per request by ~25 % and
 * p99 at concurrency 1 from 56 to 12 ms; 1 s did a little better still but widens the time a balance read after an
 * admin change can miss usage not billed yet. Records still reach the log store far inside SPEC's 5 s, and the
 * spool write that makes them durable is unchanged (it happens in publish(), before the response is done).
 */
export const SPOOL_LINGER_MS = 250;

/**
 * The most records a consumer takes at once. Under load a batch fills before the linger ends, and on PGlite each
 * statement has a fixed cost: 1000 rather than 200 cut the embedded database's CPU per record (log store and usage
 * debit together) from ~176 to ~123 µs in an interleaved A/B (bench/usage-store.mjs's method). A batch is one
 * consumer's statement, not a bus message, so NATS's message size does not bound it here.
 */
export const SPOOL_MAX_BATCH = 1000;
/** Logged bodies (up to 2 × 256 KiB a record) end a batch early past this many characters: one statement stays small. */
export const SPOOL_MAX_BODY_CHARS = 8 * 1024 * 1024;

/** How many records at the head of a queue one batch takes: the first always, then while both bounds hold. */
export function batchLength(queue: readonly SpoolEntry[], maxRecords: number, maxBodyChars = SPOOL_MAX_BODY_CHARS): number {
  let n = 0;
  let chars = 0;
  while (n < queue.length && n < maxRecords) {
    const more = bodyCharsOf(queue[n]);
    if (n > 0 && more && chars + more > maxBodyChars) break;
    chars += more;
    n++;
  }
  return n;
}

/**
 * Standalone mode's usage queue: every record is appended to `DATA_DIR/spool/usage.jsonl` (a write(2) that
 * survives a crash of this process) before it is handed to the in-process consumers. When every consumer has
 * committed everything, the spool is truncated. At start the spool is replayed to every consumer; they are
 * idempotent by requestId, so a record delivered twice changes nothing. A record that fails validation at publish, or
 * that a consumer cannot commit, is dead-lettered and the consumer moves on: nothing behind it waits.
 */
export class SpoolUsageQueue implements UsageQueue {
  private readonly logger = new Logger(SpoolUsageQueue.name);
  private readonly file: string;
  private readonly fd: number;
  private readonly backlog: SpoolEntry[];
  private readonly consumers = new Map<string, Consumer>();
  private closed = false;

  constructor(
    dataDir: string,
    private readonly maxBatch = SPOOL_MAX_BATCH,
    private readonly lingerMs = SPOOL_LINGER_MS,
  ) {
    const dir = path.join(dataDir, 'spool');
    fs.mkdirSync(dir, { recursive: true });
    this.file = path.join(dir, 'usage.jsonl');
    this.backlog = readSpoolFile(this.file, this.logger);
    this.fd = fs.openSync(this.file, 'a');
    if (this.backlog.length) this.logger.log(`replaying ${this.backlog.length} usage record(s) from the spool`);
  }

  publish(record: UsageRecord): void {
    if (this.closed) throw new Error('usage queue closed');
    const entry = validateForPublish(record);
    fs.writeSync(this.fd, spoolLine(entry));
    for (const c of this.consumers.values()) {
      c.queue.push(entry);
      this.kick(c);
    }
  }

  pending(): number {
    let n = 0;
    for (const c of this.consumers.values()) n = Math.max(n, c.queue.length);
    return n;
  }

  async consume(durable: string, handler: UsageBatchHandler, deadLetter: DeadLetterSink): Promise<void> {
    const c: Consumer = { durable, handler, deadLetter, queue: [...this.backlog], running: false, attempt: 0 };
    this.consumers.set(durable, c);
    this.kick(c);
  }

  private kick(c: Consumer): void {
    if (c.running || this.closed) return;
    c.running = true;
    if (this.lingerMs <= 0 || c.queue.length >= this.maxBatch) setImmediate(() => void this.drain(c));
    else setTimeout(() => void this.drain(c), this.lingerMs);
  }

  private async drain(c: Consumer): Promise<void> {
    while (c.queue.length && !this.closed) {
      const batch = c.queue.slice(0, batchLength(c.queue, this.maxBatch));
      const { records, letters } = splitEntries(batch);
      try {
        await commitOrDeadLetter(c.durable, c.handler, c.deadLetter, records, letters, c.attempt >= MAX_BATCH_ATTEMPTS - 1);
        c.queue.splice(0, batch.length);
        c.attempt = 0;
      } catch (err) {
        this.logger.warn(`${c.durable}: batch failed, retrying: ${(err as Error).message}`);
        await sleep(backoffMs(c.attempt++));
      }
      // Records that arrived during the commit: let a batch gather again rather than commit them one by one.
      if (c.queue.length && c.queue.length < this.maxBatch && this.lingerMs > 0) await sleep(this.lingerMs);
    }
    c.running = false;
    this.maybeTruncate();
  }

  private maybeTruncate(): void {
    if (this.consumers.size === 0 || this.closed) return;
    for (const c of this.consumers.values()) if (c.queue.length || c.running) return;
    this.backlog.length = 0;
    fs.ftruncateSync(this.fd, 0);
  }

  async flush(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.pending() > 0 && Date.now() < deadline) await sleep(10);
  }

  async close(): Promise<void> {
    this.closed = true;
    fs.closeSync(this.fd);
  }
}
