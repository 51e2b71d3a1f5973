// Summarises a V8 .cpuprofile (node --cpu-prof): top functions by self time, self time by module (package or
// source folder), and the inclusive time of the gateway's own functions.
//
//   node bench/cpuprofile-summary.mjs path/to/file.cpuprofile [--top 30] [--from-end-ms A --to-end-ms B]
import fs from 'node:fs';
import path from 'node:path';

/**
 * `window` (optional): only samples taken between `fromEndMs` and `toEndMs` milliseconds before the profile ended
 * (the profiler stops at process exit), i.e. the load phase without start-up and shutdown.
 */
export function summariseProfile(file, top = 30, window = null) {
  const prof = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (window) {
    const times = [];
    let t = prof.startTime;
    for (const dt of prof.timeDeltas) times.push((t += dt));
    const lo = prof.endTime - window.fromEndMs * 1000;
    const hi = prof.endTime - window.toEndMs * 1000;
    const keep = times.map((x) => x >= lo && x <= hi);
    prof.samples = prof.samples.filter((_, i) => keep[i]);
    prof.timeDeltas = prof.timeDeltas.filter((_, i) => keep[i]);
  }
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfUs = new Map();
  let total = 0;
  for (let i = 0; i < prof.samples.length; i++) {
    const dt = prof.timeDeltas[i] ?? 0;
    total += dt;
    selfUs.set(prof.samples[i], (selfUs.get(prof.samples[i]) ?? 0) + dt);
  }
  const frameKey = (n) => {
    const cf = n.callFrame;
    const url = cf.url ? cf.url.replace(/^file:\/\//, '') : '';
    return `${cf.functionName || '(anonymous)'} ${url ? `${shortUrl(url)}:${cf.lineNumber + 1}` : ''}`.trim();
  };
  const moduleOf = (n) => {
    const url = (n.callFrame.url || '').replace(/^file:\/\//, '');
    if (!url) return n.callFrame.functionName.startsWith('(') ? n.callFrame.functionName : '(native/V8)';
    const nm = url.lastIndexOf('node_modules/');
    if (nm >= 0) {
      const rest = url.slice(nm + 13).split('/');
      return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
    }
    if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
    const d = url.indexOf('/dist/');
    if (d >= 0)
      return url
        .slice(d + 6)
        .split('/')
        .slice(0, 3)
        .join('/');
    return shortUrl(url);
  };
  const selfByFrame = new Map();
  const selfByModule = new Map();
  const inclByFrame = new Map();
  for (const [id, us] of selfUs) {
    const n = byId.get(id);
    const k = frameKey(n);
    selfByFrame.set(k, (selfByFrame.get(k) ?? 0) + us);
    const m = moduleOf(n);
    selfByModule.set(m, (selfByModule.get(m) ?? 0) + us);
    // inclusive: every distinct frame on the stack gets the sample once (recursion counted once)
    const seen = new Set();
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const fk = frameKey(byId.get(cur));
      if (seen.has(fk)) continue;
      seen.add(fk);
      inclByFrame.set(fk, (inclByFrame.get(fk) ?? 0) + us);
    }
  }
  const sorted = (m) => [...m.entries()].sort((a, b) => b[1] - a[1]);
  const pctOf = (us) => ((100 * us) / total).toFixed(1).padStart(5) + '%';
  const lines = [];
  lines.push(`profile ${path.basename(file)}: ${(total / 1e6).toFixed(2)} s sampled${window ? ' (load phase only)' : ''}`);
  lines.push('', `top ${top} functions by self time:`);
  for (const [k, us] of sorted(selfByFrame).slice(0, top)) lines.push(`  ${pctOf(us)}  ${k}`);
  lines.push('', 'self time by module:');
  for (const [k, us] of sorted(selfByModule).slice(0, 25)) lines.push(`  ${pctOf(us)}  ${k}`);
  lines.push('', 'inclusive time, Switchboard code (dist/apps, dist/libs):');
  for (const [k, us] of sorted(inclByFrame)
    .filter(([k]) => / (apps|libs)\//.test(k))
    .slice(0, top))
    lines.push(`  ${pctOf(us)}  ${k}`);
  return lines.join('\n');
}

function shortUrl(u) {
  const nm = u.lastIndexOf('node_modules/');
  if (nm >= 0) return u.slice(nm + 13);
  const d = u.indexOf('/dist/');
  if (d >= 0) return u.slice(d + 6);
  return u;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: node bench/cpuprofile-summary.mjs file.cpuprofile [--top N]\n');
    process.exit(2);
  }
  const opt = (n) => {
    const i = process.argv.indexOf(`--${n}`);
    return i > 0 ? Number(process.argv[i + 1]) : undefined;
  };
  const from = opt('from-end-ms');
  const window = from !== undefined ? { fromEndMs: from, toEndMs: opt('to-end-ms') ?? 0 } : null;
  process.stdout.write(summariseProfile(file, opt('top') ?? 30, window) + '\n');
}
