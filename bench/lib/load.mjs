// Load generators. Non-stream: autocannon (closed loop, N connections, keep-alive), with every response time
// recorded here at µs resolution (autocannon's own histogram keeps whole milliseconds). Streams: an undici Pool,
// N workers, recording time to first body byte and the gaps between body chunks of each stream.
import autocannon from 'autocannon';
import { Pool } from 'undici';
import { cpuMs } from './procs.mjs';

/** Non-stream cell: `connections` closed-loop clients for `seconds`. */
export function runFixed({ url, path, headers, body, connections, seconds }) {
  return new Promise((resolve, reject) => {
    const lat = [];
    const statuses = {};
    let ok = 0;
    let non2xx = 0;
    const t0 = performance.now();
    const inst = autocannon({ url: url + path, method: 'POST', headers, body, connections, pipelining: 1, duration: seconds, timeout: 10 }, (err, res) => {
      if (err) return reject(err);
      const wallS = (performance.now() - t0) / 1000;
      resolve({ lat, ok, non2xx, statuses, errors: res.errors + res.timeouts, wallS });
    });
    inst.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode >= 200 && statusCode < 300) {
        ok++;
        lat.push(responseTime);
      } else {
        non2xx++;
        statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
      }
    });
  });
}

const pools = new Map();
function poolFor(origin) {
  let p = pools.get(origin);
  if (!p) {
    p = new Pool(origin, { connections: 128, pipelining: 1, keepAliveTimeout: 60_000 });
    pools.set(origin, p);
  }
  return p;
}

export async function closePools() {
  await Promise.all([...pools.values()].map((p) => p.close()));
  pools.clear();
}

/**
 * Stream cell: `concurrency` workers each run `perWorker` streams back to back; starts are staggered over
 * `staggerMs` so the cell measures steady streaming, not a thundering start.
 */
export async function runStreams({ url, path, headers, body, concurrency, perWorker, staggerMs = 100 }) {
  const pool = poolFor(url);
  const ttft = [];
  const gaps = [];
  const events = [];
  const statuses = {};
  let ok = 0;
  let bad = 0;
  let errors = 0;
  const one = async () => {
    const t0 = performance.now();
    try {
      const res = await pool.request({ path, method: 'POST', headers, body });
      if (res.statusCode !== 200) {
        bad++;
        statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
        await res.body.text().catch(() => undefined);
        return;
      }
      let last = 0;
      let n = 0;
      let carry = '';
      for await (const chunk of res.body) {
        const t = performance.now();
        if (last === 0) ttft.push(t - t0);
        else gaps.push(t - last);
        last = t;
        // Count SSE events ("data:" fields) to check nothing was merged or dropped. `carry` (4 chars, shorter than
        // "data:") joins a field split across reads without counting any occurrence twice.
        const text = carry + chunk.toString('latin1');
        for (let i = text.indexOf('data:'); i >= 0; i = text.indexOf('data:', i + 5)) n++;
        carry = text.slice(-4);
      }
      events.push(n);
      ok++;
    } catch {
      errors++;
    }
  };
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, w) => {
      if (staggerMs > 0 && concurrency > 1) await new Promise((r) => setTimeout(r, (w * staggerMs) / concurrency));
      for (let i = 0; i < perWorker; i++) await one();
    }),
  );
  return { ttft, gaps, events, ok, non2xx: bad, statuses, errors, wallS: (performance.now() - t0) / 1000 };
}

/** An empty tally for `measuredRound`. */
export const newTally = () => ({ lat: [], ok: 0, wallS: 0, cpu: 0, errors: 0 });

/**
 * One round of load (`run()` → a runFixed result) added to `tally`, with the CPU the process `pid` (and its children)
 * used for it, counted until 400 ms after the load: deferred work (usage records) belongs to the load that caused it.
 */
export async function measuredRound(pid, run, tally) {
  const c0 = cpuMs(pid);
  const res = await run();
  await new Promise((done) => setTimeout(done, 400));
  tally.cpu += cpuMs(pid) - c0;
  for (const v of res.lat) tally.lat.push(v);
  tally.ok += res.ok;
  tally.wallS += res.wallS;
  tally.errors += res.errors + res.non2xx;
}
