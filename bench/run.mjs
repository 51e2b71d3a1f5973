// `npm run bench`: Switchboard side by side with direct-to-mock calls and a bare Node proxy (the floor).
//
// Targets: direct (client → mock), floor (bench/floor-proxy.mjs), standalone, cluster (one gateway; only when
// Postgres and NATS/Redis are available). Cases: OpenAI chat pass-through and OpenAI client → Anthropic upstream
// (conversion), each non-stream (instant mock) and stream (64 chunks, 20 ms apart); `full`: the chat pass-through with
// all features on (a balance-limited user's token with a quota and rpm/tpm/concurrency limits). Concurrency 1, 16, 64.
// Targets are interleaved: for every case and concurrency, rounds of direct, floor, standalone, cluster; warm-up
// runs are discarded. Everything runs on this machine; the numbers are black-box (client-side) except CPU and RSS,
// read from /proc for the target's own processes.
//
// Env: BENCH_QUICK=1 (about a minute: 1 round, concurrency 1 and 64, 1 s cells, no cluster), BENCH_ROUNDS, BENCH_SECONDS
// (per non-stream cell per round), BENCH_CONC=1,16,64, BENCH_TARGETS=direct,floor,standalone,cluster,
// BENCH_CASES=chat,chat-stream,conv,conv-stream,full, BENCH_NO_CLUSTER=1, BENCH_OUT=name, BENCH_WORKERS=N (standalone and the
// cluster's gateway run with GATEWAY_WORKERS=N: N relay workers on the port; CPU and RSS count every process).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { closePools, runFixed, runStreams } from './lib/load.mjs';
import { cpuMs, killAllNow, memMb, stopAll } from './lib/procs.mjs';
import { report } from './lib/report.mjs';
import { warmUp } from './lib/warmup.mjs';
import { MODELS, ROOT, clusterInfra, startCluster, startFloor, startMock, startStandalone } from './lib/systems.mjs';

const QUICK = process.env.BENCH_QUICK === '1';
const list = (v, def) =>
  v
    ? v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : def;
const CONC = list(process.env.BENCH_CONC, QUICK ? ['1', '64'] : ['1', '16', '64']).map(Number);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? (QUICK ? 1 : 2));
const SECONDS = Number(process.env.BENCH_SECONDS ?? (QUICK ? 1 : 2));
const WARM_S = QUICK ? 1 : 1.5;
// Streams per worker per round (a paced stream lasts ~1.3 s): more at concurrency 1 to get a few TTFT samples.
const STREAMS_PER_WORKER = (c) => (c === 1 ? (QUICK ? 2 : 3) : 1);
// The quick smoke leaves the cluster out (its five processes take ~20 s to start); BENCH_TARGETS brings it back.
const WANT_TARGETS = list(process.env.BENCH_TARGETS, QUICK ? ['direct', 'floor', 'standalone'] : ['direct', 'floor', 'standalone', 'cluster']);
const WORKERS = process.env.BENCH_WORKERS || null;
const workerEnv = WORKERS ? { GATEWAY_WORKERS: WORKERS } : {};
const WANT_CASES = list(process.env.BENCH_CASES, ['chat', 'chat-stream', 'conv', 'conv-stream', 'full']);

const SYSTEM = 'You are a concise assistant.';
const PROMPT = 'Benchmark request: say hello in one short sentence.';
const PACED = ' [chunks:64][delay:20]';
const CASES = [
  { id: 'chat', label: 'OpenAI chat → OpenAI upstream (pass-through), non-stream', model: MODELS.openai, stream: false },
  { id: 'chat-stream', label: 'OpenAI chat → OpenAI upstream (pass-through), stream 64×20 ms', model: MODELS.openai, stream: true },
  { id: 'conv', label: 'OpenAI chat → Anthropic upstream (conversion), non-stream', model: MODELS.anthropic, stream: false },
  { id: 'conv-stream', label: 'OpenAI chat → Anthropic upstream (conversion), stream 64×20 ms', model: MODELS.anthropic, stream: true },
  {
    id: 'full',
    label: 'OpenAI chat pass-through, all features on (user balance, token quota, rpm/tpm/concurrency limits, logs)',
    model: MODELS.openai,
    stream: false,
    full: true,
  },
].filter((c) => WANT_CASES.includes(c.id));

function bodyOf(c) {
  const b = {
    model: c.model,
    messages: [
      { role: 'system', content: SYSTEM },
      { role: 'user', content: PROMPT + (c.stream ? PACED : '') },
    ],
    max_tokens: 64,
  };
  if (c.stream) Object.assign(b, { stream: true, stream_options: { include_usage: true } });
  return JSON.stringify(b);
}

const log = (...a) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${a.join(' ')}\n`);

/** A case's request headers for a target: direct and floor have no features to turn on, they take their plain key. */
const caseHeaders = (t, c) => ({ 'content-type': 'application/json', authorization: `Bearer ${(c.full && t.fullKey) || t.key}` });

/** A warm-up load of one case on a target (16 connections or streams); resolves to the requests it completed. */
async function warmCase(t, c, seconds) {
  const args = { url: t.url, path: '/v1/chat/completions', headers: caseHeaders(t, c), body: bodyOf(c) };
  const res = c.stream ? await runStreams({ ...args, concurrency: 16, perWorker: 1 }) : await runFixed({ ...args, connections: 16, seconds });
  return res.ok;
}

/** Waits until the target's processes are idle again (deferred work such as usage records counts for the cell). */
async function settle(pids, maxMs = 3_000) {
  const deadline = Date.now() + maxMs;
  let prev = pids.reduce((a, p) => a + cpuMs(p), 0);
  for (;;) {
    await new Promise((r) => setTimeout(r, 100));
    const now = pids.reduce((a, p) => a + cpuMs(p), 0);
    // below 5% of one core over 100 ms: idle (timers, ban sync)
    if (now - prev < 5 || Date.now() > deadline) return;
    prev = now;
  }
}

const diagnosed = new Set();
/** The first time a target fails: one failing answer and the tail of its processes' output, to the log. */
async function diagnose(t, body, headers) {
  if (diagnosed.has(t.name)) return;
  diagnosed.add(t.name);
  try {
    const r = await fetch(`${t.url}/v1/chat/completions`, { method: 'POST', headers, body });
    log(`  ${t.name} answers ${r.status}: ${(await r.text()).slice(0, 400)}`);
  } catch (e) {
    log(`  ${t.name} unreachable: ${e?.message ?? e}`);
  }
  for (const p of t.procs ?? []) {
    const tail = p.output.join('').split('\n').filter(Boolean).slice(-8).join('\n    ');
    if (tail) log(`  ${p.name} (pid ${p.pid}) output:\n    ${tail}`);
  }
}

async function main() {
  const started = Date.now();
  const machine = {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    kernel: os.release(),
    platform: `${os.type()} ${os.arch()}`,
  };
  const load0 = os.loadavg()[0];
  log(`machine: ${machine.cpus} cpu (${machine.cpuModel}), ${machine.memGb} GB, node ${machine.node}; quick=${QUICK}; load average ${load0.toFixed(2)}`);
  if (load0 > machine.cpus * 0.5) log(`warning: load average ${load0.toFixed(2)} before start: other work on this machine will skew the figures`);

  const mock = await startMock();
  const targets = [];
  const notes = [];
  if (WANT_TARGETS.includes('direct')) targets.push({ name: 'direct', url: mock.url, key: 'sk-bench-upstream', pids: [], mainPid: null });
  if (WANT_TARGETS.includes('floor')) {
    const f = await startFloor(mock.url);
    targets.push({ name: 'floor', url: f.url, key: 'sk-bench-upstream', pids: [f.main.pid], mainPid: f.main.pid, procs: f.procs });
  }
  if (WANT_TARGETS.includes('standalone')) {
    const s = await startStandalone(mock.url, { extraEnv: workerEnv });
    targets.push({ name: 'standalone', url: s.url, key: s.key, fullKey: s.fullKey, pids: [s.main.pid], mainPid: s.main.pid, sys: s, procs: s.procs });
  }
  let infra;
  if (WANT_TARGETS.includes('cluster') && process.env.BENCH_NO_CLUSTER !== '1') {
    infra = await clusterInfra();
    if (infra.skip) {
      notes.push(`cluster skipped: ${infra.skip}`);
      log(`cluster skipped: ${infra.skip}`);
    } else {
      const c = await startCluster(mock.url, infra, { gatewayEnvs: [workerEnv] });
      targets.push({
        name: 'cluster',
        url: c.url,
        key: c.key,
        fullKey: c.fullKey,
        pids: c.procs.map((p) => p.pid),
        mainPid: c.main.pid,
        sys: c,
        procs: c.procs,
      });
      notes.push(
        `cluster infrastructure: NATS ${infra.natsUrl}, Redis ${infra.redisUrl}${infra.private.length ? ` (private ${infra.private.join(' and ')} started for the run)` : ''}, Postgres (throwaway database)`,
      );
    }
  }
  const gwNames = targets.filter((t) => t.mainPid).map((t) => t.name);
  for (const t of targets) if (t.mainPid) t.idleRssMb = memMb(t.mainPid).rss;
  log(`targets: ${targets.map((t) => `${t.name}=${t.url}`).join(' ')}`);

  // RSS sampling of whichever target is under load.
  let active = null;
  const sampler = setInterval(() => {
    if (!active?.mainPid) return;
    const m = memMb(active.mainPid).rss;
    if (!(m <= active.maxRssMb)) active.maxRssMb = m;
  }, 200);

  // Steady state first: every case's requests in turn until the processes' background compilation has settled.
  for (const t of targets.filter((x) => x.mainPid)) {
    const w = await warmUp(
      t.pids,
      async () => {
        let n = 0;
        for (const c of CASES) n += await warmCase(t, c, 1);
        return n;
      },
      QUICK ? { minS: 5, maxS: 20 } : {},
    );
    notes.push(`${t.name} warmed up for ${w.seconds.toFixed(0)} s (${w.cpuUsPerRequest.toFixed(0)} µs CPU per request in its last burst)`);
    log(`${t.name}: warmed up in ${w.seconds.toFixed(0)} s, ${w.cpuUsPerRequest.toFixed(0)} µs CPU per request in the last burst`);
  }

  const results = {};
  for (const c of CASES) {
    const body = bodyOf(c);
    results[c.id] = {};
    const headersFor = (t) => caseHeaders(t, c);
    log(`case ${c.id}: warm-up`);
    for (const t of targets) {
      await warmCase(t, c, WARM_S);
      await settle(t.pids);
    }
    for (const conc of CONC) {
      const cell = (results[c.id][conc] = {});
      for (let r = 0; r < ROUNDS; r++) {
        for (const t of targets) {
          const acc = (cell[t.name] ??= { lat: [], ttft: [], gaps: [], events: [], ok: 0, non2xx: 0, errors: 0, wallS: 0, cpuMs: 0, cpuAllMs: 0, maxRssMb: 0 });
          active = t;
          t.maxRssMb = acc.maxRssMb;
          const cpu0 = t.mainPid ? cpuMs(t.mainPid) : 0;
          const all0 = t.pids.reduce((a, p) => a + cpuMs(p), 0);
          const args = { url: t.url, path: '/v1/chat/completions', headers: headersFor(t), body };
          const res = c.stream
            ? await runStreams({ ...args, concurrency: conc, perWorker: STREAMS_PER_WORKER(conc) })
            : await runFixed({ ...args, connections: conc, seconds: SECONDS });
          await settle(t.pids);
          acc.maxRssMb = t.maxRssMb;
          active = null;
          if (t.mainPid) acc.cpuMs += cpuMs(t.mainPid) - cpu0;
          acc.cpuAllMs += t.pids.reduce((a, p) => a + cpuMs(p), 0) - all0;
          for (const k of ['lat', 'ttft', 'gaps', 'events']) if (res[k]) for (const v of res[k]) acc[k].push(v);
          acc.ok += res.ok;
          acc.non2xx += res.non2xx;
          acc.errors += res.errors;
          acc.wallS += res.wallS;
          log(
            `  ${c.id} c=${conc} r${r + 1} ${t.name}: ${res.ok} ok, ${res.non2xx} non-2xx${res.non2xx ? ` ${JSON.stringify(res.statuses)}` : ''}, ${res.errors} errors, ${(res.ok / res.wallS).toFixed(0)} req/s`,
          );
          if (res.non2xx || res.errors) await diagnose(t, body, headersFor(t));
        }
      }
    }
  }
  clearInterval(sampler);
  for (const t of targets) if (t.mainPid) t.hwmMb = memMb(t.mainPid).hwm;

  // Other processes on the box distort absolute figures (ratios less, being interleaved): say how busy it was.
  if (WORKERS) notes.push(`GATEWAY_WORKERS=${WORKERS} for standalone and the cluster's gateway (BENCH_WORKERS)`);
  notes.push(`load average (1 min) ${load0.toFixed(2)} at start, ${os.loadavg()[0].toFixed(2)} at the end, on ${machine.cpus} cores`);
  const out = {
    startedAt: new Date(started).toISOString(),
    durationS: Math.round((Date.now() - started) / 1000),
    command: QUICK ? 'BENCH_QUICK=1 npm run bench' : 'npm run bench',
    settings: {
      quick: QUICK,
      rounds: ROUNDS,
      secondsPerCellPerRound: SECONDS,
      concurrency: CONC,
      gatewayWorkers: WORKERS ?? '1',
      streamsPerWorker: Object.fromEntries(CONC.map((c) => [c, STREAMS_PER_WORKER(c)])),
    },
    machine,
    notes,
    targets: targets.map((t) => ({ name: t.name, idleRssMb: t.idleRssMb ?? null, peakRssMb: t.hwmMb ?? null, processes: t.pids.length })),
    cases: CASES.map(({ id, label, stream }) => ({ id, label, stream })),
    raw: results,
  };
  const { summary, markdown } = report(out, gwNames);
  out.summary = summary;
  const dir = path.join(ROOT, 'bench/results');
  fs.mkdirSync(dir, { recursive: true });
  const name = process.env.BENCH_OUT ?? `bench-${out.startedAt.replace(/[:.]/g, '-')}`;
  // Raw samples make the file large; keep the summary plus per-cell counts in the JSON.
  const slim = { ...out, raw: undefined };
  fs.writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(slim, null, 2));
  fs.writeFileSync(path.join(dir, 'latest.json'), JSON.stringify(slim, null, 2));
  fs.writeFileSync(path.join(dir, 'latest.md'), markdown);
  process.stdout.write(markdown + '\n');
  log(`wrote bench/results/${name}.json and bench/results/latest.md in ${out.durationS} s`);

  await closePools();
  await stopAll();
  for (const t of targets) await t.sys?.cleanup?.();
  await infra?.cleanup?.();
}

process.on('SIGINT', () => {
  killAllNow();
  process.exit(130);
});
main().catch(async (e) => {
  log(`failed: ${e?.stack ?? e}`);
  killAllNow();
  process.exit(1);
});
