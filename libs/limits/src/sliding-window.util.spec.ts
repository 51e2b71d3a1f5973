import { BUCKET_MS, WINDOW_MS } from './limits.constants';
import { readWindow, resetMs, retryAfterMs } from './sliding-window.util';

describe('sliding window: read without ordering, ordered only for a refusal', () => {
  const at = (s: number) => s * BUCKET_MS;

  it('sums the live buckets, deletes the stale ones and finds the oldest, whatever the insertion order', () => {
    // a settle that gives back tokens rewrites an older bucket: Map order is not time order
    const buckets = new Map<number, number>([
      [70, 5],
      [12, 99], // stale at second 75 (the window starts at 75 - 60 + 1 = 16)
      [40, 3],
      [20, 2],
    ]);
    const view = readWindow(buckets, at(75));
    expect(view).toMatchObject({ sum: 10, oldest: 20 });
    expect([...buckets.keys()]).toEqual([70, 40, 20]);
    expect(resetMs(view, at(75))).toBe(at(20) + WINDOW_MS - at(75));
  });

  it('Retry-After frees the oldest buckets first, not the first inserted', () => {
    const buckets = new Map<number, number>([
      [70, 5],
      [40, 3],
      [20, 2],
    ]);
    const view = readWindow(buckets, at(75));
    expect(retryAfterMs(view, 2, at(75))).toBe(at(20) + WINDOW_MS - at(75)); // bucket 20 alone frees 2
    expect(retryAfterMs(view, 4, at(75))).toBe(at(40) + WINDOW_MS - at(75)); // then 40
    expect(retryAfterMs(view, 11, at(75))).toBe(WINDOW_MS); // never enough
  });

  it('an empty or absent window: nothing to sum, reset one window after the current bucket', () => {
    const view = readWindow(undefined, at(75));
    expect(view.sum).toBe(0);
    expect(resetMs(view, at(75) + 300)).toBe(at(75) + WINDOW_MS - (at(75) + 300));
    expect(retryAfterMs(view, 1, at(75))).toBe(WINDOW_MS);
  });
});
