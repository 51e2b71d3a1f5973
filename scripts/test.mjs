// `npm test`: every tier (unit, integration on real Postgres/Redis/NATS, end-to-end on both topologies).
// Without reachable infrastructure and without CI=true, the tiers that need it say so and skip; with CI=true they run.
import { spawnSync } from 'node:child_process';
import { reachable } from './net.mjs';
import { startWorkerBrokers } from './worker-brokers.mjs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const infra = {
  postgres: await reachable('127.0.0.1', 5432),
  redis: await reachable('127.0.0.1', 6379),
  nats: await reachable('127.0.0.1', 4222),
};
console.log(
  `infrastructure: ${Object.entries(infra)
    .map(([k, v]) => `${k} ${v ? 'up' : 'DOWN'}`)
    .join(', ')}${process.env.CI === 'true' ? ' (CI=true: every tier must run)' : ''}`,
);

// unit + int run in parallel; e2e on E2E_WORKERS workers (default 2), each with brokers of its own; chaos (it restarts
// the shared Postgres and NATS) alone, last. A selection naming e2e or chaos runs in band.
const userArgs = process.argv.slice(2);
const selected = selectedProjects(userArgs);
const e2eWorkers = Math.max(1, Number(process.env.E2E_WORKERS ?? 2) || 1);
const runs =
  selected === null
    ? [
        ['--selectProjects', 'unit', 'int', ...userArgs],
        // End-to-end suites boot whole systems: a worker's suites share its NATS/Redis one at a time, so no suite's
        // services answer another suite's messages.
        ['--selectProjects', 'e2e', ...(e2eWorkers > 1 ? [`--maxWorkers=${e2eWorkers}`] : ['--runInBand']), ...userArgs],
        ['--selectProjects', 'chaos', '--runInBand', '--passWithNoTests', ...userArgs],
      ]
    : [selected.includes('chaos') || selected.includes('e2e') ? ['--runInBand', ...userArgs] : userArgs];

let status = 0;
for (const run of runs) {
  const args = run.includes('--runInBand') || run.some((a) => a.startsWith('--maxWorkers')) ? run : ['--maxWorkers=2', ...run];
  const brokers = run.includes('e2e') && e2eWorkers > 1 ? await startWorkerBrokers(e2eWorkers, null) : null;
  // PGlite loads Node built-ins with import(): Jest needs the VM modules flag for in-process PGlite tests.
  const res = spawnSync(
    process.execPath,
    ['--experimental-vm-modules', '--disable-warning=ExperimentalWarning', path.join(root, 'node_modules/jest/bin/jest.js'), ...args],
    {
      stdio: 'inherit',
      cwd: root,
      env: { ...process.env, TZ: 'UTC', ...(brokers ? { SB_TEST_WORKER_BROKERS: brokers.value } : {}) },
    },
  );
  brokers?.stop();
  if ((res.status ?? 1) !== 0) status = res.status ?? 1;
}
process.exit(status);

/** The project names given with --selectProjects (null when there is no such flag). */
function selectedProjects(argv) {
  let names = null;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('--selectProjects=')) (names ??= []).push(...a.slice('--selectProjects='.length).split(','));
    else if (a === '--selectProjects') {
      names ??= [];
      while (i + 1 < argv.length && !argv[i + 1].startsWith('-')) names.push(argv[++i]);
    }
  }
  return names;
}
