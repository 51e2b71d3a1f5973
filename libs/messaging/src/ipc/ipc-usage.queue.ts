import { Logger } from '@nestjs/common';
import type { UsageRecord } from '@switchboard/contracts';
import { sleep, type UsageQueue } from '../usage/usage-queue';
import type { IpcLink } from './ipc-link';

/** The IPC target of the usage queue in a primary: `publish(records[])`, answered once its spool has them. */
export const USAGE_TARGET = 'usage';

/**
 * The usage queue of a standalone relay worker: records go to the primary, whose spool makes them durable and whose
 * billing and log-writer consume them, exactly as for its own. The records of one event-loop turn travel together; a
 * record counts as pending until the primary answered that its spool holds it, so a draining worker's flush() waits
 * for every record it published.
 */
export class IpcUsageQueue implements UsageQueue {
  private readonly logger = new Logger(IpcUsageQueue.name);
  private batch: UsageRecord[] = [];
  private unconfirmed = 0;

  constructor(private readonly link: IpcLink) {}

  publish(record: UsageRecord): void {
    this.unconfirmed++;
    if (this.batch.push(record) === 1) setImmediate(() => this.send());
  }

  private send(): void {
    const records = this.batch;
    this.batch = [];
    this.link.call(USAGE_TARGET, 'publish', [records]).then(
      () => (this.unconfirmed -= records.length),
      (e: unknown) => {
        // Only when the primary is gone, and with it the spool: nothing here can keep them for a later start.
        this.unconfirmed -= records.length;
        this.logger.error(`${records.length} usage record(s) not handed to the primary: ${(e as Error).message}`);
      },
    );
  }

  pending(): number {
    return this.unconfirmed;
  }

  consume(): Promise<void> {
    return Promise.reject(new Error('a relay worker publishes usage records; the primary consumes them'));
  }

  async flush(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.unconfirmed > 0 && Date.now() < deadline) await sleep(5);
  }

  async close(): Promise<void> {
    /* the link belongs to the process */
  }
}
