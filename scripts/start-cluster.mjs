// `npm run start:cluster`: the five services as separate processes on NATS + Redis + Postgres (local defaults).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { clusterEnv, ensureDatabase } from './cluster-env.mjs';
import { buildOnceIfMissing, serviceEntry } from './service-build.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const env = clusterEnv();
await ensureDatabase(env.DATABASE_URL);
const PORTS = { auth: 3001, router: 3002, billing: 3003, 'log-writer': 3004, gateway: 3000 };
buildOnceIfMissing(root, Object.keys(PORTS));
const children = [];
let stopping = false;
for (const [name, port] of Object.entries(PORTS)) {
  const child = spawn(process.execPath, [serviceEntry(root, name)], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...env, PORT: name === 'gateway' ? (env.PORT ?? String(port)) : String(port) },
  });
  child.on('exit', (code) => {
    if (!stopping) {
      console.error(`${name} exited (${code}); stopping the cluster`);
      stop('SIGTERM');
    }
  });
  children.push(child);
}
function stop(sig) {
  stopping = true;
  for (const c of children) if (c.exitCode === null) c.kill(sig);
  setTimeout(() => process.exit(0), 10_000).unref();
  Promise.all(children.map((c) => (c.exitCode !== null ? 0 : new Promise((r) => c.once('exit', r))))).then(() => process.exit(0));
}
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
