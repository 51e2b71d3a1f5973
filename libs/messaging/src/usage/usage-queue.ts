import { Logger } from '@nestjs/common';
import type { UsageDeadLetter, UsageRecord } from '@switchboard/contracts';
import { processMetrics } from '@switchboard/observability';
import { isTransientStoreError } from './transient-error';

export type UsageBatchHandler = (records: UsageRecord[]) => Promise<void>;

/** A record a consumer gave up on, before it is kept: what was received and why it could not be committed. */
export type DeadLetter = Omit<UsageDeadLetter, 'consumer'>;

/**
 * Keeps records a consumer cannot commit (the `usage_dead_letters` table). Idempotent by (consumer, requestId): a
 * replayed or redelivered dead letter is kept once. Resolves with how many it newly kept; throws when it could not keep
 * them (the queue then retries rather than acknowledge a record that is kept nowhere).
 */
export type DeadLetterSink = (consumer: string, letters: DeadLetter[]) => Promise<number>;

/**
 * The durable path of usage records: the gateway publishes, billing and log-writer each consume every record
 * through their own durable consumer. Delivery is at-least-once; consumers are idempotent by requestId.
 */
export interface UsageQueue {
  /** Never blocks the response: the record is buffered and sent in the background. */
  publish(record: UsageRecord): void;
  /** Records accepted by publish() but not yet durably stored by the queue. */
  pending(): number;
  /**
   * Registers a durable consumer; the handler gets batches and must only resolve after its commit. A record that
   * cannot be committed (or was rejected at publish) goes to deadLetter, and the rest of its batch is committed.
   */
  consume(durable: string, handler: UsageBatchHandler, deadLetter: DeadLetterSink): Promise<void>;
  /** Waits until pending() is 0 or the timeout passes. */
  flush(timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

export const USAGE_QUEUE = Symbol('USAGE_QUEUE');

/** Tries of a batch whose records all fail before those records are dead-lettered (≈ 6 s of backoff). */
export const MAX_BATCH_ATTEMPTS = 5;
/**
 * Records in a row that fail on their own, none having committed, after which the store is taken to be down rather
 * than the records bad: an outage then costs a few calls per try, not one per record (each waiting for a timeout).
 */
const FAILURES_BEFORE_OUTAGE = 3;

const logger = new Logger('UsageDelivery');

/**
 * Commits `records` and keeps `letters` (records known to be bad) as dead letters, never letting one record hold up
 * the others. When the batch fails, each record is tried on its own: while some commit, the ones that still fail are
 * poison and are dead-lettered at once, unless the failure says the store itself was unavailable (a restart between two
 * records: isTransientStoreError), which is retried like the batch. When none commits, the store itself is probably failing (down, restarting):
 * this throws so the caller retries later, unless `lastChance`, when what still fails is dead-lettered. A failure that
 * says the store was unavailable is retried even then, and a database that is down fails the dead-letter write as
 * well, so an outage is retried, never dead-lettered.
 */
export async function commitOrDeadLetter(
  durable: string,
  handler: UsageBatchHandler,
  sink: DeadLetterSink,
  records: UsageRecord[],
  letters: DeadLetter[],
  lastChance: boolean,
): Promise<void> {
  let failed: DeadLetter[] = [];
  if (records.length) {
    try {
      await handler(records);
    } catch (batchError) {
      if (records.length === 1) {
        if (!lastChance || isTransientStoreError(batchError)) throw batchError;
        failed.push({ record: records[0], error: message(batchError) });
      } else {
        let storeAnswers = false;
        let streak = 0;
        for (const r of records) {
          try {
            await handler([r]);
            storeAnswers = true;
          } catch (e) {
            // The store is restarting or overloaded: this record is not bad, it will commit on a later try, even past
            // its last chance (a Postgres that is still starting up when the tries run out must not cost log rows).
            if (isTransientStoreError(e)) throw e;
            failed.push({ record: r, error: message(e) });
            if (storeAnswers || ++streak < FAILURES_BEFORE_OUTAGE) continue;
            if (!lastChance) throw batchError;
            // Last chance: keep these; if the dead-letter store answers, the database is up and it was them after all.
            await keep(durable, sink, failed);
            failed = [];
            storeAnswers = true;
          }
        }
        if (!storeAnswers && !lastChance) throw batchError;
      }
    }
  }
  await keep(durable, sink, letters.length ? [...letters, ...failed] : failed);
}

async function keep(durable: string, sink: DeadLetterSink, letters: DeadLetter[]): Promise<void> {
  if (!letters.length) return;
  const kept = await sink(durable, letters);
  if (kept) processMetrics().usageDeadLetters.inc({ consumer: durable }, kept);
  for (const l of letters) logger.error(`${durable}: dead-lettered usage record ${requestIdOf(l.record) ?? '?'}: ${l.error}`);
}

export function requestIdOf(record: unknown): string | null {
  const id = record !== null && typeof record === 'object' ? (record as { requestId?: unknown }).requestId : undefined;
  return typeof id === 'string' && id ? id : null;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export function backoffMs(attempt: number, baseMs = 200, maxMs = 5_000): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 10));
  return Math.round(exp / 2 + Math.random() * (exp / 2));
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref?.());
