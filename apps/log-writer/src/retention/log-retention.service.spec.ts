import { Logger } from '@nestjs/common';
import type { AppConfig } from '@switchboard/config';
import { processMetrics } from '@switchboard/observability';
import type { RequestLogs } from '../logs/request-log.repository';
import { LogRetentionService } from './log-retention.service';

/** `old` logs past the retention, deleted `batch` at a time. */
function oldLogs(old: number) {
  const calls: [number, number][] = [];
  let left = old;
  let release: (() => void) | undefined;
  const logs = {
    deleteOlderThan: async (days: number, batch: number) => {
      calls.push([days, batch]);
      if (release === undefined) await new Promise<void>((r) => (release = r));
      const n = Math.min(left, batch);
      left -= n;
      return n;
    },
  } as Pick<RequestLogs, 'deleteOlderThan'> as RequestLogs;
  return { logs, calls, go: () => release?.() };
}

describe('LogRetentionService', () => {
  beforeAll(() => Logger.overrideLogger(['fatal']));

  it('deletes in batches until a batch comes back short, counts what it deleted, and runs one sweep at a time', async () => {
    const { logs, calls, go } = oldLogs(23);
    const before = (await processMetrics().logRetentionDeleted.get()).values[0]?.value ?? 0;
    const retention = new LogRetentionService(logs, { LOG_RETENTION_DAYS: 30 } as AppConfig);
    const a = retention.sweep(undefined, 10);
    const b = retention.sweep(7, 10); // joins the sweep in progress
    await new Promise((r) => setImmediate(r));
    go();
    expect(await a).toBe(23);
    expect(await b).toBe(23);
    expect(calls).toEqual([
      [30, 10],
      [30, 10],
      [30, 10],
    ]);
    expect((await processMetrics().logRetentionDeleted.get()).values[0]?.value).toBe(before + 23);
  });
});
