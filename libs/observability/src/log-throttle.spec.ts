import { LogThrottle } from './log-throttle';

describe('LogThrottle', () => {
  it('writes the first line at once, then one per interval with the count of the ones held back', () => {
    let now = 0;
    const lines: string[] = [];
    const t = new LogThrottle(
      (l) => lines.push(l),
      1_000,
      () => now,
    );
    for (let i = 0; i < 500; i++) {
      t.log(`failure ${i}`);
      now += 10;
    }
    expect(lines).toEqual([
      'failure 0',
      'failure 100 (and 99 more like it since the last such line)',
      'failure 200 (and 99 more like it since the last such line)',
      'failure 300 (and 99 more like it since the last such line)',
      'failure 400 (and 99 more like it since the last such line)',
    ]);
  });
});
