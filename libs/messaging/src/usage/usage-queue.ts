import type { UsageRecord } from '@switchboard/contracts';

export type UsageBatchHandler = (records: UsageRecord[]) => Promise<void>;

/**
 * The durable path of usage records: the gateway publishes, billing and log-writer each consume every record
 * through their own durable consumer. Delivery is at-least-once; consumers are idempotent by requestId.
 */
export interface UsageQueue {
  /** Never blocks the response: the record is buffered and sent in the background. */
  publish(record: UsageRecord): void;
  /** Records accepted by publish() but not yet durably stored by the queue. */
  pending(): number;
  /** Registers a durable consumer; the handler gets batches and must only resolve after its commit. */
  consume(durable: string, handler: UsageBatchHandler): Promise<void>;
  /** Waits until pending() is 0 or the timeout passes. */
  flush(timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

export const USAGE_QUEUE = Symbol('USAGE_QUEUE');

export function backoffMs(attempt: number, baseMs = 200, maxMs = 5_000): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 10));
  return Math.round(exp / 2 + Math.random() * (exp / 2));
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref?.());
