// A/B of builds: the same load on several builds of Switchboard, interleaved round by round, so that a change is
// measured against its baseline under the same conditions (this machine's noise hits both arms alike).
//
//   node bench/ab.mjs --mode standalone|cluster --case chat|conv|full|gemini --conc 1,64 --rounds 4 --seconds 3 \
//     base=/path/to/tree-a new=/path/to/tree-b ...
// Each tree must hold a built dist/. Standalone: one standalone per build. Cluster: one set of services (from the
// first build) and one gateway per build on it. Prints, per concurrency and build: p50/p99, req/s and the target
// process's CPU per request (from /proc, its child processes included), with ratios to the first build, and RSS.
import { runFixed, closePools, measuredRound, newTally } from './lib/load.mjs';
import { killAllNow, memMb, stopAll } from './lib/procs.mjs';
import { pct } from './lib/report.mjs';
import { MODELS, clusterInfra, startCluster, startMock, startStandalone } from './lib/systems.mjs';
import { warmUp } from './lib/warmup.mjs';

const argv = process.argv.slice(2);
const opt = (n, d) => {
  const i = argv.indexOf(`--${n}`);
  return i >= 0 ? argv[i + 1] : d;
};
const mode = opt('mode', 'standalone');
const caseId = opt('case', 'chat');
// `full`: the chat pass-through with every feature on (the provisioned user's token: balance, quota, limits)
// `gemini`: the chat request from a Gemini client (`/v1beta/models/{model}:generateContent`), converted for the OpenAI channel
const keyOf = (sys) => (caseId === 'full' ? sys.fullKey : sys.key);
const concs = opt('conc', '1,64').split(',').map(Number);
const rounds = Number(opt('rounds', '4'));
const seconds = Number(opt('seconds', '3'));
// name=tree, or name=tree?KEY=value&KEY=value to start that arm with extra environment (cluster mode: its gateway's),
// e.g. `in=/work/main worker=/work/main?EMBEDDED_DB_HOST=worker-thread` compares two settings of one build, and
// `w1=/work/main w2=/work/main?GATEWAY_WORKERS=2` one process against two relay workers (CPU counts every process).
// NODE_FLAGS (space-separated) are node flags for that arm's standalone (after npm start's) or cluster gateway:
// `gc=/work/main?NODE_FLAGS=--optimize-for-size`.
const builds = argv
  .filter((a) => /^[\w.-]+=/.test(a))
  .map((a) => {
    const [root, query = ''] = a.slice(a.indexOf('=') + 1).split('?');
    const { NODE_FLAGS = '', ...env } = Object.fromEntries(new URLSearchParams(query));
    return { name: a.split('=')[0], root, env, nodeFlags: NODE_FLAGS.split(' ').filter(Boolean) };
  });
if (builds.length < 1) {
  process.stderr.write('usage: node bench/ab.mjs [--mode standalone|cluster] name=tree ...\n');
  process.exit(2);
}

async function ready(url, key, model) {
  for (let i = 0; i < 100; i++) {
    const r = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'ready?' }], max_tokens: 8 }),
    });
    await r.text();
    if (r.status === 200) return;
    await new Promise((res) => setTimeout(res, 200));
  }
  throw new Error(`${url} never served ${model}`);
}

async function main() {
  const mock = await startMock();
  const model = caseId === 'conv' ? MODELS.anthropic : MODELS.openai;
  const arms = [];
  let infra;
  if (mode === 'cluster') {
    infra = await clusterInfra();
    if (infra.skip) throw new Error(infra.skip);
    const c = await startCluster(mock.url, infra, {
      gatewayRoots: builds.map((b) => b.root),
      gatewayEnvs: builds.map((b) => b.env),
      gatewayArmFlags: builds.map((b) => b.nodeFlags),
    });
    for (let i = 0; i < builds.length; i++) {
      await ready(c.gateways[i].url, keyOf(c), model);
      arms.push({ name: builds[i].name, url: c.gateways[i].url, key: keyOf(c), pid: c.gateways[i].proc.pid });
    }
    arms.cleanup = c.cleanup;
  } else {
    for (const b of builds) {
      const s = await startStandalone(mock.url, { root: b.root, name: `standalone-${b.name}`, extraEnv: b.env, nodeFlags: b.nodeFlags });
      arms.push({ name: b.name, url: s.url, key: keyOf(s), pid: s.main.pid, cleanup: s.cleanup });
    }
  }
  // `gemini`: the same request from a Gemini client (the model in the path), relayed to the OpenAI channel
  const path = caseId === 'gemini' ? `/v1beta/models/${model}:generateContent` : '/v1/chat/completions';
  const body = JSON.stringify(
    caseId === 'gemini'
      ? {
          systemInstruction: { parts: [{ text: 'You are a concise assistant.' }] },
          contents: [{ role: 'user', parts: [{ text: 'Benchmark request: say hello in one short sentence.' }] }],
          generationConfig: { maxOutputTokens: 64 },
        }
      : {
          model,
          messages: [
            { role: 'system', content: 'You are a concise assistant.' },
            { role: 'user', content: 'Benchmark request: say hello in one short sentence.' },
          ],
          max_tokens: 64,
        },
  );
  const headers = (a) => ({ 'content-type': 'application/json', authorization: `Bearer ${a.key}` });
  // each arm in its steady state first (V8's background compilation after start would be charged to the first rounds)
  for (const a of arms) await warmUp([a.pid], async () => (await runFixed({ url: a.url, path, headers: headers(a), body, connections: 16, seconds: 2 })).ok);
  const acc = {};
  for (const c of concs) {
    for (let r = 0; r < rounds; r++) {
      // rotate the order every round so no build always follows the same neighbour
      const order = arms.map((_, i) => arms[(i + r) % arms.length]);
      for (const a of order) {
        const k = `${c}|${a.name}`;
        await measuredRound(a.pid, () => runFixed({ url: a.url, path, headers: headers(a), body, connections: c, seconds }), (acc[k] ??= newTally()));
      }
    }
  }
  const lines = [
    `A/B ${mode} ${caseId}, ${rounds} rounds × ${seconds} s per build and concurrency (interleaved)`,
    '',
    '| c | build | p50 ms | p99 ms | req/s | CPU µs/req | CPU vs first | req/s vs first | errors |',
    '|--:|---|--:|--:|--:|--:|--:|--:|--:|',
  ];
  for (const c of concs) {
    const first = acc[`${c}|${arms[0].name}`];
    const cpu0 = (first.cpu * 1000) / first.ok;
    const rps0 = first.ok / first.wallS;
    for (const a of arms) {
      const x = acc[`${c}|${a.name}`];
      const cpu = (x.cpu * 1000) / x.ok;
      const rps = x.ok / x.wallS;
      lines.push(
        `| ${c} | ${a.name} | ${pct(x.lat, 50).toFixed(3)} | ${pct(x.lat, 99).toFixed(3)} | ${rps.toFixed(0)} | ${cpu.toFixed(0)} | ${(cpu / cpu0).toFixed(3)} | ${(rps / rps0).toFixed(3)} | ${x.errors} |`,
      );
    }
  }
  lines.push('', '| build | RSS MB (process + children) | of which children | peak (VmHWM, summed) MB |', '|---|--:|--:|--:|');
  for (const a of arms) {
    const m = memMb(a.pid);
    lines.push(`| ${a.name} | ${m.rss.toFixed(0)} | ${(m.rss - m.own.rss).toFixed(0)} | ${m.hwm.toFixed(0)} |`);
  }
  process.stdout.write(lines.join('\n') + '\n');
  await closePools();
  await stopAll();
  for (const a of arms) await a.cleanup?.();
  await arms.cleanup?.();
  await infra?.cleanup?.();
}

main().catch((e) => {
  process.stderr.write(`ab failed: ${e?.stack ?? e}\n`);
  killAllNow();
  process.exit(1);
});
