import { cpuMs } from './procs.mjs';

/**
 * Brings a target's processes to their steady state before anything is measured. For 15–30 s of load after start V8
 * keeps compiling on its background thread (hot JS to optimised code, PGlite's and Prisma's WASM tiering up): up to a
 * third of a core, charged to whichever cells ran first (c=1 of the first case: CPU per request +30 % and more). Idle
 * CPU does not tell when it is over (nothing new gets hot between requests), so: bursts of load (`burst()` runs one
 * and returns how many requests it completed), at least `minS`, until two bursts in a row cost the same CPU per
 * request within `tolerance`, or `maxS`. Returns how long it took and the last burst's CPU per request.
 */
export async function warmUp(pids, burst, { minS = 15, maxS = 60, tolerance = 0.05 } = {}) {
  const t0 = Date.now();
  const cpu = () => pids.reduce((a, p) => a + cpuMs(p), 0);
  let prev = null;
  let last = null;
  while (Date.now() - t0 < maxS * 1000) {
    const c0 = cpu();
    const n = await burst();
    await new Promise((r) => setTimeout(r, 300)); // the burst's deferred work (usage records)
    last = ((cpu() - c0) * 1000) / Math.max(1, n);
    if (prev !== null && Date.now() - t0 >= minS * 1000 && Math.abs(last - prev) <= tolerance * prev) break;
    prev = last;
  }
  return { seconds: (Date.now() - t0) / 1000, cpuUsPerRequest: last };
}
