import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { UsageRecord } from '@switchboard/contracts';
import { UsageOutbox } from './usage-outbox.file';
import { usageRecord } from './usage-record.fixture';
import { RejectedRecord } from './usage-spool.format';

const rec = usageRecord;
const ids = (es: unknown[]) =>
  es.map((e) => (e instanceof RejectedRecord ? `rejected:${(e.rejected.record as UsageRecord).requestId}` : (e as UsageRecord).requestId));

describe('UsageOutbox (the cluster gateway spool)', () => {
  it('a restart replays exactly what was not marked sent, in order, rejected records included', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-outbox-'));
    const a = new UsageOutbox(dir, 'gateway-3000');
    expect(a.replay()).toEqual([]);
    a.append([rec('a1'), rec('a2'), rec('a3')]);
    a.done(2);
    a.append([new RejectedRecord({ record: rec('bad'), error: 'invalid' }), rec('a4')]);
    a.done(1);
    expect(a.holding()).toBe(2);
    // as if the process died here (no close)
    const b = new UsageOutbox(dir, 'gateway-3001'); // another gateway on the same DATA_DIR has its own file
    expect(b.replay()).toEqual([]);
    b.close();
    a.close();
    const c = new UsageOutbox(dir, 'gateway-3000');
    expect(ids(c.replay())).toEqual(['rejected:bad', 'a4']);
    // the replay compacted the file: the markers are gone
    expect(fs.readFileSync(c.file, 'utf8').split('\n').filter(Boolean)).toHaveLength(2);
    c.done(2);
    expect(fs.readFileSync(c.file, 'utf8')).toBe(''); // emptied once nothing waits
    c.close();
  });

  it('one file per name in a process: a second holder is refused', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-outbox-'));
    const a = new UsageOutbox(dir, 'gateway-3000');
    expect(() => new UsageOutbox(dir, 'gateway-3000')).toThrow(/already open/);
    a.close();
    new UsageOutbox(dir, 'gateway-3000').close();
  });
});
