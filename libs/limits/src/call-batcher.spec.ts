import { CallBatcher } from './call-batcher';

/** A batcher over a fake store call that records each batch it was sent. */
function recording(answer: (items: number[]) => Promise<(string | Error)[]>, maxBatch?: number) {
  const batches: number[][] = [];
  const batcher = new CallBatcher<number, string>(async (items) => {
    batches.push(items);
    return answer(items);
  }, maxBatch);
  return { batches, batcher };
}

const echo = async (items: number[]) => items.map((i) => `r${i}`);
const nextTurn = () => new Promise<void>((r) => setImmediate(r));

describe('CallBatcher', () => {
  it('an idle batcher sends a call at once; the calls made meanwhile leave together at the end of the turn', async () => {
    const { batches, batcher } = recording(echo);
    const results = Promise.all([batcher.run(1), batcher.run(2), batcher.run(3), batcher.run(4)]);
    expect(batches).toEqual([[1]]); // nothing else leaves before the turn ends
    await expect(results).resolves.toEqual(['r1', 'r2', 'r3', 'r4']);
    expect(batches).toEqual([[1], [2, 3, 4]]);
  });

  it('a call made once everything has answered goes out at once again', async () => {
    const { batches, batcher } = recording(echo);
    await batcher.run(1);
    const second = batcher.run(2);
    expect(batches).toEqual([[1], [2]]);
    await expect(second).resolves.toBe('r2');
  });

  it('a call made while a batch is on its way waits for the end of the turn', async () => {
    let release = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const { batches, batcher } = recording(async (items) => {
      if (items[0] === 1) await gate;
      return items.map((i) => `r${i}`);
    });
    const first = batcher.run(1);
    await nextTurn(); // [1] is still on its way
    const second = batcher.run(2);
    expect(batches).toEqual([[1]]);
    await nextTurn();
    expect(batches).toEqual([[1], [2]]);
    release();
    await expect(Promise.all([first, second])).resolves.toEqual(['r1', 'r2']);
  });

  it('sends a full batch at once', async () => {
    const { batches, batcher } = recording(echo, 2);
    const results = Promise.all([1, 2, 3, 4].map((i) => batcher.run(i)));
    expect(batches).toEqual([[1], [2, 3]]);
    await expect(results).resolves.toEqual(['r1', 'r2', 'r3', 'r4']);
    expect(batches).toEqual([[1], [2, 3], [4]]);
  });

  it("an item's own failure rejects that call only", async () => {
    const { batcher } = recording(async (items) => items.map((i) => (i === 2 ? new Error('bad 2') : `r${i}`)));
    const results = await Promise.allSettled([1, 2, 3].map((i) => batcher.run(i)));
    expect(results).toEqual([
      { status: 'fulfilled', value: 'r1' },
      { status: 'rejected', reason: new Error('bad 2') },
      { status: 'fulfilled', value: 'r3' },
    ]);
  });

  it('a failed batch rejects every call in it, and the next batch is sent as usual', async () => {
    let fail = true;
    const { batcher } = recording(async (items) => {
      if (fail) throw new Error('connection lost');
      return items.map((i) => `r${i}`);
    });
    const failed = await Promise.allSettled([batcher.run(1), batcher.run(2), batcher.run(3)]);
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    fail = false;
    await expect(batcher.run(4)).resolves.toBe('r4');
  });

  it('a batch answered with the wrong number of outcomes rejects every call', async () => {
    const { batcher } = recording(async () => ['only one']);
    await batcher.run(1);
    await expect(Promise.all([batcher.run(2), batcher.run(3), batcher.run(4)])).rejects.toThrow('answered 1 outcomes');
  });

  it('drain() sends what is queued and waits for every batch in flight', async () => {
    let answered = 0;
    const batcher = new CallBatcher<number, number>(async (items) => {
      await new Promise((r) => setTimeout(r, 20));
      answered += items.length;
      return items;
    });
    void batcher.run(1);
    await nextTurn(); // batch [1] is in flight
    void batcher.run(2); // queued
    await batcher.drain();
    expect(answered).toBe(2);
  });

  it('drain() also sends the calls made while the last batch is on its way', async () => {
    let answered = 0;
    let late: Promise<number> | undefined;
    const batcher = new CallBatcher<number, number>(async (items) => {
      await new Promise((r) => setTimeout(r, 20));
      answered += items.length;
      // a call made while this batch is still out (answered below, after drain() was asked for)
      late ??= batcher.run(99);
      return items;
    });
    void batcher.run(1);
    await batcher.drain();
    expect(answered).toBe(2);
    await expect(late).resolves.toBe(99);
  });
});
