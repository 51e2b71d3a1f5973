// Child processes of the benchmark and what /proc says about them (CPU time, RSS).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';

/** Every child this benchmark started, so it can stop them (by pid, never by name) whatever happens. */
const children = new Set();

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

import { reachable } from '../../scripts/net.mjs';

export { reachable };

export function onPath(bin) {
  return spawnSync('sh', ['-c', `command -v ${bin}`], { encoding: 'utf8' }).status === 0;
}

/** Spawns a child; keeps the tail of its output for error messages. */
export function start(name, cmd, args, env = process.env) {
  const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = [];
  const keep = (d) => {
    output.push(d.toString());
    if (output.length > 200) output.shift();
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const proc = { name, child, pid: child.pid, output, exited: false };
  child.once('exit', () => {
    proc.exited = true;
    children.delete(proc);
  });
  children.add(proc);
  return proc;
}

export async function waitHttp(url, proc, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc?.exited) throw new Error(`${proc.name} exited:\n${proc.output.join('')}`);
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`${proc?.name ?? url} not ready after ${timeoutMs} ms:\n${proc?.output.join('') ?? ''}`);
}

export async function waitPort(port, proc, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc?.exited) throw new Error(`${proc.name} exited:\n${proc.output.join('')}`);
    if (await reachable('127.0.0.1', port, 300)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${proc?.name} did not open port ${port}`);
}

export function stop(proc, graceMs = 10_000) {
  return new Promise((resolve) => {
    if (!proc || proc.exited) return resolve();
    const t = setTimeout(() => proc.child.kill('SIGKILL'), graceMs);
    proc.child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    proc.child.kill('SIGTERM');
  });
}

export async function stopAll() {
  await Promise.all([...children].map((p) => stop(p)));
}

export function killAllNow() {
  for (const p of children) {
    try {
      p.child.kill('SIGKILL');
    } catch {
      /* gone */
    }
  }
}

const CLK_TCK = (() => {
  const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const n = Number(r.stdout?.trim());
  return Number.isFinite(n) && n > 0 ? n : 100;
})();

/** A process and its descendants (standalone runs its embedded database in a child process), from /proc. */
export function processTree(pid) {
  const out = [pid];
  for (let i = 0; i < out.length; i++) {
    try {
      for (const tid of fs.readdirSync(`/proc/${out[i]}/task`)) {
        const kids = fs.readFileSync(`/proc/${out[i]}/task/${tid}/children`, 'utf8').trim();
        if (kids) out.push(...kids.split(/\s+/).map(Number));
      }
    } catch {
      /* gone, or no children file */
    }
  }
  return out;
}

/**
 * CPU time a process and its descendants have used so far, in ms. Sums /proc/<pid>/task/<tid>/schedstat (ns, every
 * thread: main, libuv pool, V8 GC/compiler threads) when the kernel exposes it; falls back to utime+stime ticks of
 * /proc/<pid>/stat. A child that exits in between takes its CPU time with it.
 */
export function cpuMs(pid) {
  return processTree(pid).reduce((a, p) => a + ownCpuMs(p), 0);
}

function ownCpuMs(pid) {
  try {
    let ns = 0;
    for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
      const s = fs.readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8');
      ns += Number(s.split(' ')[0]);
    }
    if (ns > 0) return ns / 1e6;
  } catch {
    /* fall back */
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / CLK_TCK;
  } catch {
    return NaN;
  }
}

/**
 * VmRSS and VmHWM (peak) in MB of a process and its descendants, summed (each process's own peak: the sum is an
 * upper bound of the tree's peak); `own` is the process alone.
 */
export function memMb(pid) {
  const [own, ...rest] = processTree(pid).map(ownMemMb);
  return { rss: rest.reduce((a, m) => a + m.rss, own.rss), hwm: rest.reduce((a, m) => a + m.hwm, own.hwm), own, children: rest };
}

function ownMemMb(pid) {
  try {
    const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(s)?.[1] ?? NaN);
    return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
  } catch {
    return { rss: NaN, hwm: NaN };
  }
}
