// Profiles the standalone gateway under load: `node --cpu-prof` on the standalone process, autocannon on the chosen
// case, then a summary of the .cpuprofile (top self-time functions, modules, Switchboard's own inclusive time).
//
//   npm run build && node bench/profile.mjs [--target standalone|cluster] [--case chat|conv|chat-stream|conv-stream|full]
//     [--seconds 10] [--conc 16]
// Writes bench/results/profiles/<case>-<time>.cpuprofile (open it in Chrome DevTools) and prints the summary.
import fs from 'node:fs';
import path from 'node:path';
import { summariseProfile } from './cpuprofile-summary.mjs';
import { runFixed, runStreams, closePools } from './lib/load.mjs';
import { killAllNow, stop, stopAll } from './lib/procs.mjs';
import { warmUp } from './lib/warmup.mjs';
import { MODELS, ROOT, clusterInfra, startCluster, startMock, startStandalone } from './lib/systems.mjs';

const arg = (n, d) => {
  const i = process.argv.indexOf(`--${n}`);
  return i > 0 ? process.argv[i + 1] : d;
};
const caseId = arg('case', 'chat');
const seconds = Number(arg('seconds', '10'));
const conc = Number(arg('conc', '16'));
const target = arg('target', 'standalone');

async function main() {
  const dir = path.join(ROOT, 'bench/results/profiles');
  fs.mkdirSync(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const profName = `${target}-${caseId}-${stamp}.cpuprofile`;
  const flags = ['--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${profName}`];
  const mock = await startMock();
  let infra;
  if (target === 'cluster') {
    infra = await clusterInfra();
    if (infra.skip) throw new Error(`cluster: ${infra.skip}`);
  }
  // For the cluster, only the gateway process is profiled.
  const sa = target === 'cluster' ? await startCluster(mock.url, infra, { gatewayFlags: flags }) : await startStandalone(mock.url, { nodeFlags: flags });
  const stream = caseId.endsWith('stream');
  const model = caseId.startsWith('conv') ? MODELS.anthropic : MODELS.openai;
  const body = JSON.stringify({
    model,
    messages: [{ role: 'user', content: 'Benchmark request: say hello in one short sentence.' + (stream ? ' [chunks:64][delay:20]' : '') }],
    max_tokens: 64,
    ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}),
  });
  const args = {
    url: sa.url,
    path: '/v1/chat/completions',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${caseId === 'full' ? sa.fullKey : sa.key}` },
    body,
  };
  // the process in its steady state first (see lib/warmup.mjs), then the profiled load (the summary covers only that)
  await warmUp([sa.main.pid], async () => (await runFixed({ ...args, connections: conc, seconds: 2 })).ok);
  const loadStart = Date.now();
  const res = stream
    ? await runStreams({ ...args, concurrency: conc, perWorker: Math.max(1, Math.round(seconds / 1.4)) })
    : await runFixed({ ...args, connections: conc, seconds });
  const loadEnd = Date.now();
  process.stderr.write(`load: ${res.ok} ok, ${res.non2xx} non-2xx, ${res.errors} errors, ${(res.ok / res.wallS).toFixed(0)} req/s\n`);
  await closePools();
  await stop(sa.main, 20_000);
  const exitedAt = Date.now();
  await stopAll();
  await sa.cleanup();
  await infra?.cleanup();
  const file = path.join(dir, profName);
  if (!fs.existsSync(file)) throw new Error(`no profile written at ${file}`);
  // Only the samples of the measured load (the profile also covers start-up: PGlite's initdb, module loading).
  const window = { fromEndMs: exitedAt - loadStart, toEndMs: exitedAt - loadEnd };
  process.stdout.write(summariseProfile(file, Number(arg('top', '35')), window) + '\n');
  process.stderr.write(
    `load window: node bench/cpuprofile-summary.mjs ${path.relative(ROOT, file)} --from-end-ms ${window.fromEndMs} --to-end-ms ${window.toEndMs}\n`,
  );
  process.stderr.write(`profile: ${path.relative(ROOT, file)}\n`);
}

main().catch((e) => {
  process.stderr.write(`profile failed: ${e?.stack ?? e}\n`);
  killAllNow();
  process.exit(1);
});
