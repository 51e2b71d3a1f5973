// Where the tail at concurrency 1 comes from: one connection, requests back to back for a few seconds against
// standalone (or straight to the mock with --direct), then percentiles, the share of requests slower than
// --slow-ms, and the time between slow ones (periodic work shows as a regular gap; contention as a scatter).
//
//   node bench/tail.mjs [--direct] [--seconds 8] [--slow-ms 1.5] [--env KEY=value&KEY=value]
import { Pool } from 'undici';
import { stopAll } from './lib/procs.mjs';
import { MODELS, startMock, startStandalone } from './lib/systems.mjs';

const argv = process.argv.slice(2);
const opt = (n, d) => (argv.includes(`--${n}`) ? argv[argv.indexOf(`--${n}`) + 1] : d);
const direct = argv.includes('--direct');
const seconds = Number(opt('seconds', '8'));
const slowMs = Number(opt('slow-ms', '1.5'));

const mock = await startMock();
const s = direct ? null : await startStandalone(mock.url, { name: 'standalone', extraEnv: Object.fromEntries(new URLSearchParams(opt('env', ''))) });
const body = JSON.stringify({ model: MODELS.openai, messages: [{ role: 'user', content: 'hello there' }], max_tokens: 16 });
const headers = { authorization: `Bearer ${s?.key ?? 'sk-direct'}`, 'content-type': 'application/json' };
const pool = new Pool(direct ? mock.url : s.url, { connections: 1 });
const one = async () => {
  const t = performance.now();
  const r = await pool.request({ method: 'POST', path: '/v1/chat/completions', headers, body });
  await r.body.text();
  if (r.statusCode !== 200) throw new Error(`status ${r.statusCode}`);
  return [t, performance.now() - t];
};
for (const t0 = performance.now(); performance.now() - t0 < 2000;) await one(); // warm-up
const rec = [];
for (const t0 = performance.now(); performance.now() - t0 < seconds * 1000;) rec.push(await one());

const lat = rec.map((r) => r[1]).sort((a, b) => a - b);
const p = (q) => lat[Math.floor(q * (lat.length - 1))].toFixed(3);
const slow = rec.filter((r) => r[1] > slowMs);
console.log(`${direct ? 'direct' : 'standalone'}: n ${lat.length}, p50 ${p(0.5)} p90 ${p(0.9)} p99 ${p(0.99)} p99.9 ${p(0.999)} max ${p(1)} ms`);
console.log(`slower than ${slowMs} ms: ${slow.length} (${((slow.length / rec.length) * 100).toFixed(2)} %)`);
console.log(
  `ms between slow ones: ${slow
    .slice(1, 61)
    .map((r, i) => (r[0] - slow[i][0]).toFixed(0))
    .join(' ')}`,
);
console.log(
  `their latencies (ms): ${slow
    .slice(0, 40)
    .map((r) => r[1].toFixed(1))
    .join(' ')}`,
);
await pool.close();
await stopAll();
process.exit(0);
