import type { UsageRecord } from '@switchboard/contracts';
import { commitOrDeadLetter, type DeadLetter } from './usage-queue';

const rec = (id: string) => ({ requestId: id }) as UsageRecord;
const batch = (n: number, bad: (i: number) => boolean = () => false) => Array.from({ length: n }, (_, i) => rec(bad(i) ? `bad-${i}` : `ok-${i}`));

/** A store that refuses records whose id starts with "bad", or everything while down; counts its calls. */
function store() {
  const s = {
    down: false,
    calls: 0,
    committed: [] as string[],
    kept: [] as string[],
    handler: async (rs: UsageRecord[]) => {
      s.calls++;
      if (s.down) throw new Error('connection refused');
      if (rs.some((r) => r.requestId.startsWith('bad'))) throw new Error('value out of range');
      s.committed.push(...rs.map((r) => r.requestId));
    },
    sink: async (_c: string, ls: DeadLetter[]) => {
      if (s.down) throw new Error('connection refused');
      s.kept.push(...ls.map((l) => (l.record as UsageRecord).requestId));
      return ls.length;
    },
  };
  return s;
}

describe('commitOrDeadLetter: one bad record never holds up the rest', () => {
  it('retries, never dead-letters, a record that failed because the database was restarting (seen in the chaos run)', async () => {
    const s = store();
    let starting = 0;
    const handler = async (rs: UsageRecord[]) => {
      // the batch fails; then the database answers the first record and is "starting up" for the next one
      if (rs.length > 1) throw new Error('Connection terminated unexpectedly');
      if (rs[0].requestId === 'ok-1' && starting++ === 0) throw new Error('Raw query failed. Code: `57P03`. Message: `the database system is starting up`');
      return s.handler(rs);
    };
    await expect(commitOrDeadLetter('c', handler, s.sink, batch(5), [], false)).rejects.toThrow('57P03');
    expect(s.kept).toEqual([]);
    // the retry of the whole batch commits everything (consumers are idempotent by request id)
    await commitOrDeadLetter('c', handler, s.sink, batch(5), [], false);
    expect(new Set(s.committed)).toEqual(new Set(['ok-0', 'ok-1', 'ok-2', 'ok-3', 'ok-4']));
    expect(s.kept).toEqual([]);
  });

  it('commits the good records of a failing batch and keeps the bad ones', async () => {
    const s = store();
    await commitOrDeadLetter(
      'c',
      s.handler,
      s.sink,
      batch(10, (i) => i === 3 || i === 7),
      [],
      false,
    );
    expect(s.committed).toHaveLength(8);
    expect(s.kept).toEqual(['bad-3', 'bad-7']);
  });

  it('while the store is down it gives up after a few calls (not one per record) and keeps nothing', async () => {
    const s = store();
    s.down = true;
    await expect(commitOrDeadLetter('c', s.handler, s.sink, batch(200), [], false)).rejects.toThrow('connection refused');
    expect(s.calls).toBe(2); // the batch, then one record alone: its error says the store is unavailable
    s.calls = 0;
    await expect(commitOrDeadLetter('c', s.handler, s.sink, batch(200), [], true)).rejects.toThrow('connection refused');
    expect(s.calls).toBe(2); // on the last chance too
    expect(s.kept).toEqual([]);
  });

  it('keeps retrying past its last chance a record the database refused while starting up (seen in the chaos run)', async () => {
    const s = store();
    const startingUp = new Error('Raw query failed. Code: `57P03`. Message: `the database system is starting up`');
    // the statements fail while the dead-letter store already answers: nothing may be kept, alone or in a batch
    const handler = async () => Promise.reject(startingUp);
    await expect(commitOrDeadLetter('c', handler, s.sink, batch(3), [], true)).rejects.toThrow('57P03');
    await expect(commitOrDeadLetter('c', handler, s.sink, [rec('ok-9')], [], true)).rejects.toThrow('57P03');
    expect(s.kept).toEqual([]);
  });

  it('a batch that starts with several bad records: retried, then on its last chance the bad ones are kept and the rest committed', async () => {
    const s = store();
    const b = batch(20, (i) => i < 4);
    await expect(commitOrDeadLetter('c', s.handler, s.sink, b, [], false)).rejects.toThrow('value out of range');
    expect(s.kept).toEqual([]);
    await commitOrDeadLetter('c', s.handler, s.sink, b, [], true);
    expect(s.kept).toEqual(['bad-0', 'bad-1', 'bad-2', 'bad-3']);
    expect(s.committed.filter((id) => id.startsWith('ok')).sort()).toEqual(
      b
        .slice(4)
        .map((r) => r.requestId)
        .sort(),
    );
  });

  it('a record alone is retried until its last chance; known-bad letters are kept with the batch', async () => {
    const s = store();
    await expect(commitOrDeadLetter('c', s.handler, s.sink, [rec('bad-x')], [], false)).rejects.toThrow();
    expect(s.kept).toEqual([]);
    await commitOrDeadLetter('c', s.handler, s.sink, [rec('bad-x')], [{ record: rec('invalid'), error: 'rejected' }], true);
    expect(s.kept).toEqual(['invalid', 'bad-x']);
  });
});
