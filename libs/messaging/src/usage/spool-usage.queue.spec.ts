import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { UsageRecord } from '@switchboard/contracts';
import { processMetrics } from '@switchboard/observability';
import { batchLength, SpoolUsageQueue } from './spool-usage.queue';
import { usageRecord } from './usage-record.fixture';
import { MAX_BATCH_ATTEMPTS, type DeadLetter } from './usage-queue';

const rec = usageRecord;

/** A dead-letter store that keeps each (consumer, requestId) once, as the table does. */
function deadLetters() {
  const kept = new Map<string, DeadLetter & { consumer: string }>();
  let failing = false;
  const sink = async (consumer: string, letters: DeadLetter[]) => {
    if (failing) throw new Error('database down');
    let n = 0;
    for (const l of letters) {
      const key = `${consumer}:${(l.record as UsageRecord).requestId}`;
      if (!kept.has(key)) {
        kept.set(key, { consumer, ...l });
        n++;
      }
    }
    return n;
  };
  return { kept, sink, fail: (on: boolean) => void (failing = on) };
}

const deadLetterCount = async (consumer: string): Promise<number> =>
  (await processMetrics().usageDeadLetters.get()).values.find((v) => v.labels.consumer === consumer)?.value ?? 0;

jest.setTimeout(40_000);

describe('SpoolUsageQueue (standalone durability)', () => {
  it('delivers to every consumer, retries a failing one, and truncates when all have committed', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-spool-'));
    const q = new SpoolUsageQueue(dir);
    const a: string[] = [];
    const b: string[] = [];
    let failOnce = true;
    const dl = deadLetters();
    await q.consume('a', async (rs) => void a.push(...rs.map((r) => r.requestId)), dl.sink);
    await q.consume(
      'b',
      async (rs) => {
        if (failOnce) {
          failOnce = false;
          throw new Error('db down');
        }
        b.push(...rs.map((r) => r.requestId));
      },
      dl.sink,
    );
    q.publish(rec('r1'));
    q.publish(rec('r2'));
    await q.flush(5_000);
    expect(a).toEqual(['r1', 'r2']);
    expect(b).toEqual(['r1', 'r2']);
    await new Promise((r) => setTimeout(r, 20));
    expect(fs.readFileSync(path.join(dir, 'spool/usage.jsonl'), 'utf8')).toBe('');
    await q.close();
  });

  it('replays records a crash left in the spool', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-spool-'));
    const q1 = new SpoolUsageQueue(dir);
    q1.publish(rec('lost-1')); // no consumer committed it: as if the process died here
    q1.publish(rec('lost-2'));
    await q1.close();
    fs.appendFileSync(path.join(dir, 'spool/usage.jsonl'), '{"requestId":"torn'); // a torn last line
    const q2 = new SpoolUsageQueue(dir);
    const got: string[] = [];
    await q2.consume('log', async (rs) => void got.push(...rs.map((r) => r.requestId)), deadLetters().sink);
    await q2.flush(5_000);
    expect(got).toEqual(['lost-1', 'lost-2']);
    await q2.close();
  });

  it('a record that cannot be committed is dead-lettered and the rest of its batch is committed', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-spool-'));
    const q = new SpoolUsageQueue(dir);
    const dl = deadLetters();
    const committed: string[] = [];
    const before = await deadLetterCount('poison-a');
    // As Postgres does: a batch holding the poison record fails as a whole.
    await q.consume(
      'poison-a',
      async (rs) => {
        if (rs.some((r) => r.requestId === 'bad')) throw new Error('integer out of range');
        committed.push(...rs.map((r) => r.requestId));
      },
      dl.sink,
    );
    for (const id of ['g1', 'g2', 'bad', 'g3', 'g4']) q.publish(rec(id));
    await q.flush(5_000);
    expect(committed.sort()).toEqual(['g1', 'g2', 'g3', 'g4']);
    expect([...dl.kept.values()]).toEqual([{ consumer: 'poison-a', record: expect.objectContaining({ requestId: 'bad' }), error: 'integer out of range' }]);
    expect(await deadLetterCount('poison-a')).toBe(before + 1);
    // and records published later keep flowing
    q.publish(rec('g5'));
    await q.flush(5_000);
    expect(committed).toContain('g5');
    await q.close();
  });

  it('the head of the spool never stalls: a record that fails on its own is dead-lettered after a few tries', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-spool-'));
    const q = new SpoolUsageQueue(dir, 200, 0);
    const dl = deadLetters();
    const committed: string[] = [];
    let tries = 0;
    await q.consume(
      'head',
      async (rs) => {
        if (rs.some((r) => r.requestId === 'bad')) {
          tries++;
          throw new Error('value too long');
        }
        committed.push(...rs.map((r) => r.requestId));
      },
      dl.sink,
    );
    q.publish(rec('bad')); // alone in its batch: nothing commits, so at first it looks like an outage
    await q.flush(30_000);
    expect(q.pending()).toBe(0);
    expect(dl.kept.get('head:bad')?.error).toBe('value too long');
    expect(tries).toBe(MAX_BATCH_ATTEMPTS); // tried that many times before giving up on it
    q.publish(rec('after'));
    await q.flush(5_000);
    expect(committed).toEqual(['after']);
    await q.close();
  });

  it('a database outage is retried, never dead-lettered (the dead-letter write fails too), and nothing is lost', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-spool-'));
    const q = new SpoolUsageQueue(dir, 200, 0);
    const dl = deadLetters();
    let down = true;
    dl.fail(true);
    const committed: string[] = [];
    await q.consume(
      'outage',
      async (rs) => {
        if (down) throw new Error('connection refused');
        committed.push(...rs.map((r) => r.requestId));
      },
      dl.sink,
    );
    q.publish(rec('o1'));
    q.publish(rec('o2'));
    await new Promise((r) => setTimeout(r, 8_000)); // past the attempts after which a lone failure is dead-lettered
    expect(committed).toEqual([]);
    down = false;
    dl.fail(false);
    await q.flush(20_000);
    expect(committed.sort()).toEqual(['o1', 'o2']);
    expect(dl.kept.size).toBe(0);
    await q.close();
  });

  it('a record that fails validation at publish is dead-lettered at once for every consumer, never handed to them, and kept across a restart', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-spool-'));
    const q = new SpoolUsageQueue(dir);
    const dl = deadLetters();
    const got: string[] = [];
    await q.consume('v-bill', async (rs) => void got.push(...rs.map((r) => r.requestId)), dl.sink);
    await q.consume('v-log', async (rs) => void got.push(...rs.map((r) => r.requestId)), dl.sink);
    q.publish(rec('ok1'));
    q.publish({ ...rec('frac'), promptTokens: 1.5 });
    q.publish({ ...rec('huge'), completionTokens: 1e30 });
    q.publish(rec('ok2'));
    await q.flush(5_000);
    expect(got.sort()).toEqual(['ok1', 'ok1', 'ok2', 'ok2']);
    expect([...dl.kept.keys()].sort()).toEqual(['v-bill:frac', 'v-bill:huge', 'v-log:frac', 'v-log:huge']);
    expect(dl.kept.get('v-log:frac')!.error).toMatch(/rejected at publish: invalid usage record: promptTokens/);
    await q.close();

    // Nothing committed the spool's truncation? A crash before it: the replay brings the same outcome, no duplicates
    // in the dead letters (the store keeps each (consumer, requestId) once).
    fs.writeFileSync(
      path.join(dir, 'spool/usage.jsonl'),
      [rec('r1'), { rejected: { record: { ...rec('neg'), cacheReadTokens: -3 }, error: 'invalid' } }, rec('r2')].map((x) => JSON.stringify(x)).join('\n') +
        '\n',
    );
    const q2 = new SpoolUsageQueue(dir);
    const replayed: string[] = [];
    await q2.consume('v-log', async (rs) => void replayed.push(...rs.map((r) => r.requestId)), dl.sink);
    await q2.flush(5_000);
    expect(replayed).toEqual(['r1', 'r2']);
    expect(dl.kept.has('v-log:neg')).toBe(true);
    await q2.close();
  });
});

describe('batchLength (a spool batch is bounded by records and by logged bodies)', () => {
  const withBodies = (id: string, chars: number): UsageRecord => ({
    ...rec(id),
    bodies: { request: 'q'.repeat(chars / 2), response: 'a'.repeat(chars / 2), truncated: false },
  });

  it('takes up to the record bound when no record logs bodies', () => {
    const queue = Array.from({ length: 1500 }, (_, i) => rec(`r${i}`));
    expect(batchLength(queue, 1000)).toBe(1000);
    expect(batchLength(queue.slice(0, 3), 1000)).toBe(3);
  });

  it('ends a batch before the bodies pass their bound, and always takes the first record', () => {
    const queue = [rec('plain'), ...Array.from({ length: 40 }, (_, i) => withBodies(`b${i}`, 400_000))];
    // 8 MiB holds 20 bodies of 400,000 characters, after the record without any
    expect(batchLength(queue, 1000)).toBe(21);
    expect(batchLength([withBodies('big', 400_000)], 1000, 1000)).toBe(1);
  });
});
