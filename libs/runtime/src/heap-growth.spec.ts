import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { boundHeapGrowth } from './heap-growth';

/** This module as built (`npm test` builds first): a child node process can load it. */
const BUILT = path.resolve(__dirname, '../../../dist/libs/runtime/src/heap-growth.js');

/** A child node that keeps ≈60 MB live and churns garbage; prints its largest heapTotal (MB). */
const CHURN = `
  const live = []; for (let i = 0; i < 600000; i++) live.push({ a: 'x' + i, b: [i, i + 1] });
  let keep = []; let max = 0;
  for (let r = 0; r < 150; r++) {
    for (let i = 0; i < 20000; i++) keep.push({ s: 'y' + i, arr: new Array(8).fill(i) });
    if (keep.length > 200000) keep = [];
    max = Math.max(max, process.memoryUsage().heapTotal);
  }
  process.stdout.write(String(Math.round(max / 1048576)));`;

const peakHeapMb = (prelude: string): number => Number(execFileSync(process.execPath, ['-e', prelude + CHURN], { encoding: 'utf8' }));

describe('boundHeapGrowth', () => {
  it('leaves a --heap-growing-percent given on the command line alone', () => {
    expect(boundHeapGrowth(['--v8-pool-size=1', '--heap-growing-percent=80'])).toBe(false);
    expect(boundHeapGrowth(['--heap_growing_percent=80'])).toBe(false);
  });

  it('keeps the heap well below what V8 grows it to under churn', () => {
    if (!fs.existsSync(BUILT)) throw new Error(`${BUILT} is missing: run npm run build`);
    // in a child process, so that the heap measured is not this test worker's
    const bounded = peakHeapMb(`if (!require(${JSON.stringify(BUILT)}).boundHeapGrowth()) process.exit(3);`);
    const unbounded = peakHeapMb('');
    expect(bounded).toBeLessThan(unbounded * 0.75);
  }, 30_000);
});
