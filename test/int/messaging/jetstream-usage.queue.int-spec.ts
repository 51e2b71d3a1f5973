import { randomUUID } from 'node:crypto';
import { connect } from 'nats';
import { UsageStream, type UsageRecord } from '@switchboard/contracts';
import { JetStreamUsageQueue } from '@switchboard/messaging';
import { INFRA, requireInfra } from '../../support/infra';
import { usageRecord } from '../billing/billing-fixtures';

jest.setTimeout(60_000);

/**
 * Cluster mode's usage queue on real NATS: publishes wait up to 50 ms to share a message while records keep coming,
 * so what SPEC asks of shutdown ("flushes usage records") rests on flush() sending what waits at once.
 */
describe('JetStreamUsageQueue on real NATS', () => {
  it('flush() sends every waiting record at once, and a consumer receives each exactly once', async () => {
    if (!(await requireInfra('nats'))) return;
    const run = randomUUID().slice(0, 8);
    const durable = `test-usage-${run}`;
    const producer = await JetStreamUsageQueue.connect(INFRA.nats.url, `test-producer-${run}`);
    const consumer = await JetStreamUsageQueue.connect(INFRA.nats.url, `test-consumer-${run}`);
    const received = new Map<string, number>();
    try {
      await consumer.consume(
        durable,
        async (records: UsageRecord[]) => {
          for (const r of records) if (r.requestId.startsWith(`req_${run}`)) received.set(r.requestId, (received.get(r.requestId) ?? 0) + 1);
        },
        async () => 0,
      );
      const ids = Array.from({ length: 261 }, (_, i) => `req_${run}_${i}`);
      // The first goes out at once; the next ten fall inside the 50 ms window, then a full message's worth and more.
      producer.publish(usageRecord(ids[0], 1, 1, 10));
      for (const id of ids.slice(1)) producer.publish(usageRecord(id, 1, 1, 10));
      const t0 = Date.now();
      await producer.flush(5_000);
      expect(producer.pending()).toBe(0);
      expect(Date.now() - t0).toBeLessThan(2_000);

      const deadline = Date.now() + 20_000;
      while (received.size < ids.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect([...received.keys()].sort()).toEqual([...ids].sort());
      expect([...received.values()].every((n) => n === 1)).toBe(true);
    } finally {
      await producer.close();
      await consumer.close();
      const nc = await connect({ servers: INFRA.nats.url });
      await (await nc.jetstreamManager()).consumers.delete(UsageStream.name, durable).catch(() => undefined);
      await nc.close();
    }
  });
  it('records with logged bodies share a message only while it stays under NATS’ payload limit', async () => {
    if (!(await requireInfra('nats'))) return;
    const run = randomUUID().slice(0, 8);
    const durable = `test-usage-bodies-${run}`;
    const producer = await JetStreamUsageQueue.connect(INFRA.nats.url, `test-producer-${run}`);
    const consumer = await JetStreamUsageQueue.connect(INFRA.nats.url, `test-consumer-${run}`);
    const received = new Map<string, number>();
    try {
      await consumer.consume(
        durable,
        async (records: UsageRecord[]) => {
          for (const r of records) if (r.requestId.startsWith(`req_${run}`) && r.bodies?.request.length === 200_000) received.set(r.requestId, records.length);
        },
        async () => 0,
      );
      // 12 records of 400 KB of bodies each: ~4.8 MB, five times the 1 MiB a message may carry
      const ids = Array.from({ length: 12 }, (_, i) => `req_${run}_${i}`);
      const bodies = { request: 'q'.repeat(200_000), response: 'a'.repeat(200_000), truncated: true };
      for (const id of ids) producer.publish({ ...usageRecord(id, 1, 1, 10), bodies });
      await producer.flush(10_000);
      expect(producer.pending()).toBe(0);
      const deadline = Date.now() + 20_000;
      while (received.size < ids.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect([...received.keys()].sort()).toEqual([...ids].sort());
    } finally {
      await producer.close();
      await consumer.close();
      const nc = await connect({ servers: INFRA.nats.url });
      await (await nc.jetstreamManager()).consumers.delete(UsageStream.name, durable).catch(() => undefined);
      await nc.close();
    }
  });
});
