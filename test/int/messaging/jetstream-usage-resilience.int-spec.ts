import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Logger } from '@nestjs/common';
import { Subjects, UsageStream, type UsageRecord } from '@switchboard/contracts';
import { JetStreamUsageQueue, MAX_BATCH_ATTEMPTS, MAX_DELIVER, type DeadLetter } from '@switchboard/messaging';
import { processMetrics } from '@switchboard/observability';
import { AckPolicy, DeliverPolicy, JSONCodec, connect, type NatsConnection } from 'nats';
import { requireInfra } from '../../support/infra';
import { usageRecord } from '../billing/billing-fixtures';
import { startPrivateNats, type PrivateNats } from './private-nats';

jest.setTimeout(120_000);

const codec = JSONCodec<unknown>();

/** What a consumer committed (count per request id) and what it dead-lettered, as the database would keep them. */
function recorder(failOn: (r: UsageRecord) => boolean = () => false) {
  const committed = new Map<string, number>();
  const letters = new Map<string, DeadLetter>();
  let calls = 0;
  return {
    committed,
    letters,
    calls: () => calls,
    handler: async (records: UsageRecord[]) => {
      calls++;
      if (records.some(failOn)) throw new Error('numeric field overflow');
      for (const r of records) committed.set(r.requestId, (committed.get(r.requestId) ?? 0) + 1);
    },
    sink: async (_consumer: string, ls: DeadLetter[]) => {
      let n = 0;
      for (const l of ls) {
        const id = (l.record as { requestId?: string } | null)?.requestId ?? `?${letters.size}`;
        if (!letters.has(id)) {
          letters.set(id, l);
          n++;
        }
      }
      return n;
    },
  };
}

async function eventually(what: string, fn: () => boolean | Promise<boolean>, timeoutMs = 40_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** close() with a bound: draining a connection whose server is gone may wait for it. */
const closeSoon = (q: JetStreamUsageQueue) => Promise.race([q.close(), new Promise((r) => setTimeout(r, 3_000).unref())]);

/** Cluster mode's usage queue against a nats-server of this test's own, which it stops and starts at will. */
describe('JetStream usage queue: poison records, max_deliver and NATS outages', () => {
  let nats: PrivateNats;
  let nc: NatsConnection;
  const queues: JetStreamUsageQueue[] = [];

  beforeAll(async () => {
    Logger.overrideLogger(['fatal']);
    if (!(await requireInfra('nats'))) return; // nats-server is installed where the shared one runs
    nats = await startPrivateNats();
    nc = await connect({ servers: nats.url });
  });

  afterAll(async () => {
    for (const q of queues) await closeSoon(q);
    await nc?.close().catch(() => undefined);
    await nats?.dispose();
  });

  it('a message holding an invalid and a poison record among good ones: the good are committed, the two dead-lettered, nothing redelivered', async () => {
    if (!nats) return;
    const consumer = await JetStreamUsageQueue.connect(nats.url, 'poison-consumer');
    queues.push(consumer);
    // A durable made before max_deliver was set (redelivered forever) gets it when its service starts.
    await (
      await nc.jetstreamManager()
    ).consumers.add(UsageStream.name, { durable_name: 'poison-test', ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All, ack_wait: 30 * 1e9 });
    const rec = recorder((r) => r.requestId === 'p-poison');
    await consumer.consume('poison-test', rec.handler, rec.sink);
    const info = await (await nc.jetstreamManager()).consumers.info(UsageStream.name, 'poison-test');
    expect(info.config.max_deliver).toBe(MAX_DELIVER);

    const before = (await processMetrics().usageDeadLetters.get()).values.find((v) => v.labels.consumer === 'poison-test')?.value ?? 0;
    const good = Array.from({ length: 10 }, (_, i) => usageRecord(`p-good-${i}`, 1, 1, 10));
    const invalid = { ...usageRecord('p-invalid', 1, 1, 10), promptTokens: -1 };
    const poison = usageRecord('p-poison', 1, 1, 10);
    const js = nc.jetstream();
    await js.publish(Subjects.UsageRecordedBatch, codec.encode({ records: [...good.slice(0, 5), invalid, poison, ...good.slice(5)] }));
    await js.publish(Subjects.UsageRecorded, new TextEncoder().encode('{"requestId": torn'));
    await js.publish(
      Subjects.UsageRejected,
      codec.encode({ record: { ...usageRecord('p-rejected', 1, 1, 10), costMicros: 0.5 }, error: 'invalid usage record: costMicros' }),
    );

    await eventually('every record committed or dead-lettered', () => rec.committed.size === 10 && rec.letters.size === 4);
    expect([...rec.committed.keys()].sort()).toEqual(good.map((r) => r.requestId).sort());
    expect(rec.letters.get('p-poison')?.error).toBe('numeric field overflow');
    expect(rec.letters.get('p-invalid')?.error).toMatch(/invalid usage record: promptTokens/);
    expect(rec.letters.get('p-rejected')?.error).toMatch(/^rejected at publish: invalid usage record: costMicros/);
    expect([...rec.letters.values()].some((l) => /unreadable usage message/.test(l.error) && String(l.record).includes('torn'))).toBe(true);
    expect((await processMetrics().usageDeadLetters.get()).values.find((v) => v.labels.consumer === 'poison-test')?.value).toBe(before + 4);
    await eventually('every message acknowledged', async () => {
      const i = await (await nc.jetstreamManager()).consumers.info(UsageStream.name, 'poison-test');
      return i.num_pending === 0 && i.num_ack_pending === 0;
    });
    expect([...rec.committed.values()].every((n) => n === 1)).toBe(true);
  });

  it('a message on its last delivery (max_deliver) is dead-lettered at its first failure instead of being redelivered forever', async () => {
    if (!nats) return;
    const durable = 'last-delivery-test';
    const jsm = await nc.jetstreamManager();
    // Start the durable where the stream ends now, then spend all deliveries but one of a new message, as consumers
    // that died holding it would have.
    const seq = (await jsm.streams.info(UsageStream.name)).state.last_seq;
    await jsm.consumers.add(UsageStream.name, {
      durable_name: durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: seq + 1,
      ack_wait: 30 * 1e9,
      max_deliver: MAX_DELIVER,
    });
    await nc.jetstream().publish(Subjects.UsageRecordedBatch, codec.encode({ records: [usageRecord('ld-stuck', 1, 1, 10)] }));
    const raw = await nc.jetstream().consumers.get(UsageStream.name, durable);
    for (let i = 1; i < MAX_DELIVER; i++) {
      const m = await raw.next({ expires: 5_000 });
      expect(m?.info.deliveryCount).toBe(i);
      m!.nak();
    }

    const consumer = await JetStreamUsageQueue.connect(nats.url, 'last-delivery-consumer');
    queues.push(consumer);
    const rec = recorder((r) => r.requestId === 'ld-stuck');
    await consumer.consume(durable, rec.handler, rec.sink);
    await eventually('the stuck record dead-lettered', () => rec.letters.has('ld-stuck'), 20_000);
    expect(rec.calls()).toBe(1); // no retries left to spend: one try, then kept
    expect(rec.calls()).toBeLessThan(MAX_BATCH_ATTEMPTS);
    await eventually('the message acknowledged', async () => (await jsm.consumers.info(UsageStream.name, durable)).num_ack_pending === 0);
  });

  it('records published while NATS is down wait on disk, survive a gateway crash, and arrive exactly once when NATS is back', async () => {
    if (!nats) return;
    const consumer = await JetStreamUsageQueue.connect(nats.url, 'outage-consumer');
    queues.push(consumer);
    const rec = recorder();
    await consumer.consume('outage-test', rec.handler, rec.sink);

    const dir1 = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-gw1-'));
    const spool = { dataDir: dir1, name: 'gateway-3000' };
    const gw1 = JetStreamUsageQueue.open(nats.url, 'gateway', { spool });
    const before = Array.from({ length: 5 }, (_, i) => usageRecord(`o-before-${i}`, 1, 1, 10));
    for (const r of before) gw1.publish(r);
    await gw1.flush(10_000);
    await eventually('the first records', () => before.every((r) => rec.committed.has(r.requestId)));
    await eventually('their acks', async () => (await (await nc.jetstreamManager()).consumers.info(UsageStream.name, 'outage-test')).num_ack_pending === 0);
    const outbox = path.join(dir1, 'spool', 'outbox-gateway-3000.jsonl');
    expect(fs.readFileSync(outbox, 'utf8')).toBe(''); // nothing is written to disk while NATS answers

    await nats.stop();
    const during = Array.from({ length: 30 }, (_, i) => usageRecord(`o-during-${i}`, 1, 1, 10));
    for (const r of during) gw1.publish(r);
    gw1.publish({ ...usageRecord('o-invalid', 1, 1, 10), reasoningTokens: 1e30 });
    await eventually('the outage records on disk', () => fs.readFileSync(outbox, 'utf8').trim().split('\n').length === 31, 10_000);

    // The gateway dies: what it leaves is what is on disk now. A new gateway starts on that DATA_DIR while NATS is
    // still down (the old one is shut off first, so it cannot send anything itself).
    const dir2 = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-gw2-'));
    fs.cpSync(path.join(dir1, 'spool'), path.join(dir2, 'spool'), { recursive: true });
    await closeSoon(gw1);
    const gw2 = JetStreamUsageQueue.open(nats.url, 'gateway', { spool: { dataDir: dir2, name: 'gateway-3000' } });
    queues.push(gw2);
    expect(gw2.pending()).toBe(31);
    const after = usageRecord('o-after-restart', 1, 1, 10);
    gw2.publish(after);

    await nats.start();
    const all = [...before, ...during, after].map((r) => r.requestId);
    await eventually('every record after NATS returns', () => all.every((id) => rec.committed.has(id)) && rec.letters.has('o-invalid'), 60_000);
    await new Promise((r) => setTimeout(r, 1_500)); // time for any duplicate to show up
    // (this durable also reads the earlier tests' messages: only this test's records count here)
    const mine = [...rec.committed].filter(([id]) => id.startsWith('o-'));
    expect(mine.map(([id]) => id).sort()).toEqual([...all].sort());
    // Exactly once for what the gateways sent through the outage and the crash. (A record committed before NATS went
    // down may come again if the broker lost its ack: that is the consumers' at-least-once, not the spool's doing.)
    expect(mine.filter(([id, n]) => n !== 1 && !id.startsWith('o-before-'))).toEqual([]);
    expect(rec.letters.get('o-invalid')?.error).toMatch(/rejected at publish: invalid usage record: reasoningTokens/);
    expect(gw2.pending()).toBe(0);
    expect(fs.readFileSync(path.join(dir2, 'spool', 'outbox-gateway-3000.jsonl'), 'utf8')).toBe('');
  });

  it('the spool is bounded: beyond maxBuffer the oldest records are dropped, counted, and not replayed', async () => {
    if (!nats) return;
    await nats.stop();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-gw-bound-'));
    const dropped = async () => (await processMetrics().usageDropped.get()).values[0]?.value ?? 0;
    const before = await dropped();
    const gw = JetStreamUsageQueue.open(nats.url, 'gateway', { maxBuffer: 10, spool: { dataDir: dir, name: 'bounded' } });
    for (let i = 0; i < 15; i++) gw.publish(usageRecord(`b-${i}`, 1, 1, 10));
    expect(gw.pending()).toBe(10);
    expect(await dropped()).toBe(before + 5);
    const spooled = (await processMetrics().usageSpoolBytes.get()).values[0]?.value ?? 0;
    expect(spooled).toBeGreaterThan(0);
    await closeSoon(gw);
    // what a restart would send: the ten newest, in order
    const lines = fs
      .readFileSync(path.join(dir, 'spool', 'outbox-bounded.jsonl'), 'utf8')
      .trim()
      .split('\n');
    const done = lines.filter((l) => l.startsWith('{"done"')).reduce((n, l) => n + (JSON.parse(l) as { done: number }).done, 0);
    const records = lines.filter((l) => !l.startsWith('{"done"')).map((l) => (JSON.parse(l) as UsageRecord).requestId);
    expect(records.slice(done)).toEqual(Array.from({ length: 10 }, (_, i) => `b-${i + 5}`));
    await nats.start(); // lets the never-connected queue's connection attempt end
  });
});
