import type { UsageRecord } from '@switchboard/contracts';
import type { UsageQueue } from '@switchboard/messaging';
import { processMetrics } from '@switchboard/observability';
import type { RequestLogs } from '../logs/request-log.repository';
import type { UsageDeadLetters } from './usage-dead-letter.repository';
import { UsageLogConsumer } from './usage-log.consumer';

const processed = async (result: string) =>
  (await processMetrics().usageProcessed.get()).values.find((v) => v.labels.consumer === 'log-writer' && v.labels.result === result)?.value ?? 0;

describe('UsageLogConsumer', () => {
  const stored = new Set<string>();
  const logs = {
    insertNew: (records: readonly UsageRecord[]) => {
      const fresh = records.filter((r) => !stored.has(r.requestId));
      for (const r of fresh) stored.add(r.requestId);
      return Promise.resolve(fresh.length);
    },
  } as Pick<RequestLogs, 'insertNew'> as RequestLogs;
  const kept: { consumer: string; letters: readonly unknown[] }[] = [];
  const deadLetters = { store: (consumer: string, letters: readonly unknown[]) => Promise.resolve(kept.push({ consumer, letters })) } as Pick<
    UsageDeadLetters,
    'store'
  > as UsageDeadLetters;
  const rec = (requestId: string) => ({ requestId }) as UsageRecord;

  it('counts the records the repository stored and the ones it already held', async () => {
    const [s, d] = [await processed('stored'), await processed('duplicate')];
    const consumer = new UsageLogConsumer(logs, deadLetters, {} as UsageQueue);
    await consumer.store([rec('a'), rec('b')]);
    await consumer.store([rec('b'), rec('c')]);
    expect((await processed('stored')) - s).toBe(3);
    expect((await processed('duplicate')) - d).toBe(1);
  });

  it('consumes as the log-writer consumer and keeps what the queue gives up on as dead letters', async () => {
    let durable = '';
    let sink: ((consumer: string, letters: { record: unknown; error: string }[]) => Promise<unknown>) | undefined;
    const queue = {
      consume: (name: string, _handler: unknown, deadLetter: typeof sink) => {
        durable = name;
        sink = deadLetter;
        return Promise.resolve();
      },
    } as unknown as UsageQueue;
    await new UsageLogConsumer(logs, deadLetters, queue).onApplicationBootstrap();
    expect(durable).toBe('log-writer-usage');
    await sink!('log-writer-usage', [{ record: { requestId: 'x' }, error: 'boom' }]);
    expect(kept).toEqual([{ consumer: 'log-writer-usage', letters: [{ record: { requestId: 'x' }, error: 'boom' }] }]);
  });
});
