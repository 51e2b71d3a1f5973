// Finds the event loop's long tasks in a V8 .cpuprofile (node --cpu-prof): runs of consecutive busy samples (not
// idle) lasting at least --min-ms, i.e. the moments the loop could not answer anything else. For each kind of long
// task (keyed by the Switchboard / package function nearest the root of its heaviest stack) prints how many, how
// long in all, the longest, and the functions with the most self time inside them. Use it on a profile taken at
// concurrency 1 to see what lies behind the tail latency.
//
//   node bench/long-tasks.mjs file.cpuprofile [--min-ms 2] [--from-end-ms A --to-end-ms B] [--top 12]
import fs from 'node:fs';

const argv = process.argv.slice(2);
const opt = (n, d) => {
  const i = argv.indexOf(`--${n}`);
  return i >= 0 ? Number(argv[i + 1]) : d;
};
const file = argv.find((a) => a.endsWith('.cpuprofile'));
if (!file) {
  process.stderr.write('usage: node bench/long-tasks.mjs file.cpuprofile [--min-ms 2] [--from-end-ms A --to-end-ms B]\n');
  process.exit(2);
}
const minUs = opt('min-ms', 2) * 1000;
const top = opt('top', 12);
const prof = JSON.parse(fs.readFileSync(file, 'utf8'));
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const name = (n) => {
  const cf = n.callFrame;
  const url = (cf.url || '').replace(/^file:\/\//, '');
  const short = url.includes('/dist/')
    ? url.slice(url.indexOf('/dist/') + 6)
    : url.includes('node_modules/')
      ? url.slice(url.lastIndexOf('node_modules/') + 13)
      : url;
  return `${cf.functionName || '(anonymous)'}${short ? ` ${short}:${cf.lineNumber + 1}` : ''}`;
};
const IDLE = new Set(['(idle)', '(program)']);
const isIdle = (id) => IDLE.has(byId.get(id).callFrame.functionName);
/** the frame nearest the root that is our code or a package (skips node internals and V8's own frames) */
function rootFrame(id) {
  const chain = [];
  for (let x = id; x !== undefined; x = parent.get(x)) chain.push(byId.get(x));
  chain.reverse();
  const ours = chain.find((n) => /\/dist\/(apps|libs)\//.test(n.callFrame.url || ''));
  const pkg = chain.find((n) => (n.callFrame.url || '').includes('node_modules/'));
  const gc = chain.find((n) => n.callFrame.functionName === '(garbage collector)');
  return name(ours ?? pkg ?? gc ?? chain[chain.length - 1]);
}

let t = prof.startTime;
const times = prof.timeDeltas.map((dt) => (t += dt));
const lo = argv.includes('--from-end-ms') ? prof.endTime - opt('from-end-ms', 0) * 1000 : -Infinity;
const hi = argv.includes('--to-end-ms') ? prof.endTime - opt('to-end-ms', 0) * 1000 : Infinity;

const tasks = [];
let cur = null;
for (let i = 0; i < prof.samples.length; i++) {
  if (times[i] < lo || times[i] > hi) continue;
  const id = prof.samples[i];
  const dt = prof.timeDeltas[i + 1] ?? 0; // a sample stands for the time until the next one
  if (isIdle(id)) {
    if (cur) tasks.push(cur);
    cur = null;
    continue;
  }
  cur ??= { start: times[i], us: 0, samples: new Map() };
  cur.us += dt;
  cur.samples.set(id, (cur.samples.get(id) ?? 0) + dt);
}
if (cur) tasks.push(cur);

const windowMs = (Math.min(hi, prof.endTime) - Math.max(lo, prof.startTime)) / 1000;
const long = tasks.filter((x) => x.us >= minUs);
const kinds = new Map();
for (const task of long) {
  const byRoot = new Map();
  for (const [id, us] of task.samples) byRoot.set(rootFrame(id), (byRoot.get(rootFrame(id)) ?? 0) + us);
  const key = [...byRoot].sort((a, b) => b[1] - a[1])[0][0];
  const k = kinds.get(key) ?? { n: 0, us: 0, max: 0, self: new Map() };
  k.n++;
  k.us += task.us;
  k.max = Math.max(k.max, task.us);
  for (const [id, us] of task.samples) k.self.set(name(byId.get(id)), (k.self.get(name(byId.get(id))) ?? 0) + us);
  kinds.set(key, k);
}
const ms = (us) => (us / 1000).toFixed(2);
console.log(
  `${file}: ${windowMs.toFixed(0)} ms examined, ${tasks.length} busy runs, ${long.length} of them ≥ ${ms(minUs)} ms (${((long.length / windowMs) * 1000).toFixed(1)}/s)`,
);
for (const [key, k] of [...kinds].sort((a, b) => b[1].us - a[1].us)) {
  console.log(`\n${k.n} × (${((k.n / windowMs) * 1000).toFixed(1)}/s), ${ms(k.us)} ms in all, longest ${ms(k.max)} ms — mostly under ${key}`);
  for (const [f, us] of [...k.self].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`    ${((us / k.us) * 100).toFixed(1).padStart(5)}%  ${f}`);
}
