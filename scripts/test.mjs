// `npm test`: every tier (unit, integration on real Postgres/Redis/NATS, end-to-end on both topologies).
// Without reachable infrastructure and without CI=true, the tiers that need it say so and skip; with CI=true they run.
import { spawnSync } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function reachable(host, port) {
  return new Promise((resolve) => {
    const s = net.connect({ host, port, timeout: 1000 }, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
    s.on('timeout', () => {
      s.destroy();
      resolve(false);
    });
  });
}

const infra = {
  postgres: await reachable('127.0.0.1', 5432),
  redis: await reachable('127.0.0.1', 6379),
  nats: await reachable('127.0.0.1', 4222),
};
console.log(`infrastructure: ${Object.entries(infra).map(([k, v]) => `${k} ${v ? 'up' : 'DOWN'}`).join(', ')}${process.env.CI === 'true' ? ' (CI=true: every tier must run)' : ''}`);

const args = ['--maxWorkers=2', ...process.argv.slice(2)];
// PGlite loads Node built-ins with import(): Jest needs the VM modules flag for in-process PGlite tests.
const res = spawnSync(process.execPath, ['--experimental-vm-modules', '--disable-warning=ExperimentalWarning', path.join(root, 'node_modules/jest/bin/jest.js'), ...args], {
  stdio: 'inherit',
  cwd: root,
  env: { ...process.env, TZ: 'UTC' },
});
process.exit(res.status ?? 1);
