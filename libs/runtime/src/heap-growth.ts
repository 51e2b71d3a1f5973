import v8 from 'node:v8';

/** How far the JS heap may grow past what a full GC found live, in percent (V8's own choice goes up to 300). */
export const HEAP_GROWING_PERCENT = 50;

/**
 * Bounds the JS heap to 1.5× what is live before the next full GC. Under a high allocation rate (the relay's) V8 lets
 * it grow to 4×, which was most of the standalone process's peak RSS (bench/README.md, 2026-12-07 07:24). V8 reads the
 * flag at every GC, so setting it at start is the same as `node --heap-growing-percent`; a value given on the command
 * line wins. Returns whether it set the flag.
 */
export function boundHeapGrowth(execArgv: readonly string[] = process.execArgv): boolean {
  if (execArgv.some((a) => /^--heap[-_]growing[-_]percent(=|$)/.test(a))) return false;
  v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  return true;
}
