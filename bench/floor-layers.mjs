// What the layers under Switchboard cost on this machine, side by side with Switchboard itself: the floor
// (node:http + undici), then Fastify, the JSON a billing gateway must read, a durable usage record per request, and
// the records logged and billed in embedded Postgres (bench/floor-layers-server.mjs), against standalone's chat and
// full cases. Same load, interleaved rounds, CPU per request of each whole process (every thread). Answers "how close
// to the floor can a standalone that logs and bills every request get?" without any of Switchboard's own logic.
//
//   npm run build && node bench/floor-layers.mjs [--conc 1,64] [--rounds 3] [--seconds 8]
// Latencies are also given as added to the mock's own (a direct arm, measured in the same rounds).
import path from 'node:path';
import { runFixed, closePools, measuredRound, newTally } from './lib/load.mjs';
import { freePort, killAllNow, memMb, start, stopAll, waitPort } from './lib/procs.mjs';
import { warmUp } from './lib/warmup.mjs';
import { MODELS, ROOT, startMock, startStandalone } from './lib/systems.mjs';

const arg = (n, d) => (process.argv.includes(`--${n}`) ? process.argv[process.argv.indexOf(`--${n}`) + 1] : d);
const concs = arg('conc', '1,64').split(',').map(Number);
const rounds = Number(arg('rounds', '3'));
const seconds = Number(arg('seconds', '8'));
const LAYERS = ['http', 'fastify', 'json', 'spool', 'store'];

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
};

async function main() {
  const mock = await startMock();
  const direct = { name: 'the mock, direct', url: mock.url, key: 'sk-direct', pid: mock.procs[0].pid };
  const arms = [];
  for (const layer of LAYERS) {
    const port = await freePort();
    const proc = start(`floor-${layer}`, process.execPath, [
      path.join(ROOT, 'bench/floor-layers-server.mjs'),
      '--port',
      String(port),
      '--upstream',
      mock.url,
      '--layer',
      layer,
    ]);
    await waitPort(port, proc, 90_000);
    arms.push({
      name: `floor + ${LAYERS.slice(1, LAYERS.indexOf(layer) + 1).join(' + ') || 'nothing'}`,
      url: `http://127.0.0.1:${port}`,
      key: 'sk-floor',
      pid: proc.pid,
    });
  }
  const sa = await startStandalone(mock.url);
  arms.push({ name: 'Switchboard standalone, chat', url: sa.url, key: sa.key, pid: sa.main.pid });
  arms.push({ name: 'Switchboard standalone, full', url: sa.url, key: sa.fullKey, pid: sa.main.pid });

  const body = JSON.stringify({
    model: MODELS.openai,
    messages: [
      { role: 'system', content: 'You are a concise assistant.' },
      { role: 'user', content: 'Benchmark request: say hello in one short sentence.' },
    ],
    max_tokens: 64,
  });
  const load = (a, connections, s) =>
    runFixed({
      url: a.url,
      path: '/v1/chat/completions',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${a.key}` },
      body,
      connections,
      seconds: s,
    });
  for (const a of arms) await warmUp([a.pid], async () => (await load(a, 16, 2)).ok);

  const all = [direct, ...arms];
  const acc = new Map(concs.flatMap((c) => all.map((a) => [`${c}|${a.name}`, newTally()])));
  for (const conc of concs)
    for (let r = 0; r < rounds; r++) {
      for (const a of all.map((_, i) => all[(i + r) % all.length])) {
        await measuredRound(a.pid, () => load(a, conc, seconds), acc.get(`${conc}|${a.name}`));
      }
    }
  const lines = [
    `Layers under Switchboard, ${rounds} rounds × ${seconds} s per arm and concurrency (interleaved), CPU of each whole process (every thread)`,
    '',
    '| c | arm | req/s | of the floor | CPU µs/req | × the floor | p50 ms | p99 ms | added p50 | added p99 | peak RSS MB | errors |',
    '|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
  ];
  for (const conc of concs) {
    const first = acc.get(`${conc}|${arms[0].name}`);
    const own = acc.get(`${conc}|${direct.name}`);
    const cpu0 = (first.cpu * 1000) / first.ok;
    const rps0 = first.ok / first.wallS;
    for (const a of all) {
      const x = acc.get(`${conc}|${a.name}`);
      const cpu = (x.cpu * 1000) / x.ok;
      const rps = x.ok / x.wallS;
      const [p50, p99] = [pct(x.lat, 50), pct(x.lat, 99)];
      const added = a === direct ? ['', ''] : [(p50 - pct(own.lat, 50)).toFixed(2), (p99 - pct(own.lat, 99)).toFixed(2)];
      lines.push(
        `| ${conc} | ${a.name} | ${rps.toFixed(0)} | ${a === direct ? '' : `${((rps / rps0) * 100).toFixed(0)} %`} | ${cpu.toFixed(0)} | ${a === direct ? '' : (cpu / cpu0).toFixed(2)} | ${p50.toFixed(2)} | ${p99.toFixed(2)} | ${added[0]} | ${added[1]} | ${memMb(a.pid).hwm.toFixed(0)} | ${x.errors} |`,
      );
    }
  }
  console.log(lines.join('\n'));
  await closePools();
  await sa.cleanup?.();
}

main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(async () => {
    await stopAll();
    killAllNow();
  });
