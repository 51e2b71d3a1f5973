import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { UsageRecord } from '@switchboard/contracts';
import { SpoolUsageQueue } from './spool-usage.queue';

const rec = (id: string): UsageRecord => ({
  requestId: id, createdAt: new Date().toISOString(), tokenId: 1, userId: 1, group: 'default', model: 'm', upstreamModel: 'm',
  channelId: 1, protocol: 'openai-chat', upstreamProtocol: 'openai-chat', stream: false, status: 200, promptTokens: 1,
  completionTokens: 1, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0, costMicros: 5, latencyMs: 1, ttftMs: null,
  attempts: 1, error: null, reservedMicros: 0,
});

describe('SpoolUsageQueue (standalone durability)', () => {
  it('delivers to every consumer, retries a failing one, and truncates when all have committed', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-spool-'));
    const q = new SpoolUsageQueue(dir);
    const a: string[] = [];
    const b: string[] = [];
    let failOnce = true;
    await q.consume('a', async (rs) => void a.push(...rs.map((r) => r.requestId)));
    await q.consume('b', async (rs) => {
      if (failOnce) {
        failOnce = false;
        throw new Error('db down');
      }
      b.push(...rs.map((r) => r.requestId));
    });
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
    await q2.consume('log', async (rs) => void got.push(...rs.map((r) => r.requestId)));
    await q2.flush(5_000);
    expect(got).toEqual(['lost-1', 'lost-2']);
    await q2.close();
  });
});
