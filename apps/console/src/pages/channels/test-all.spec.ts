import { runAll } from './test-all';

describe('runAll', () => {
  it('runs every item at most `concurrency` at a time, reports each outcome with the count done, failures included', async () => {
    let running = 0;
    let peak = 0;
    const seen: [number, boolean, number][] = [];
    await runAll(
      [1, 2, 3, 4, 5],
      async (n) => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 5 * (6 - n)));
        running--;
        if (n === 3) throw new Error('boom');
        return n * 10;
      },
      { concurrency: 2, onResult: (n, o, done) => seen.push([n, o.ok, done]) },
    );
    expect(peak).toBe(2);
    expect(seen.map((s) => s[2])).toEqual([1, 2, 3, 4, 5]);
    expect(seen.filter((s) => !s[1]).map((s) => s[0])).toEqual([3]);
    expect(seen.map((s) => s[0]).sort()).toEqual([1, 2, 3, 4, 5]);
  });
  it('does nothing for no items', async () => {
    const onResult = jest.fn();
    await runAll([], () => Promise.resolve(1), { concurrency: 3, onResult });
    expect(onResult).not.toHaveBeenCalled();
  });
});
