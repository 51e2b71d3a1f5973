// `npm run start:service -- <name>`: one service of the cluster (the container image runs the same entry point). It
// does not build: see service-build.mjs.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { missingBuildMessage, missingBuilds, serviceEntry } from './service-build.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SERVICES = ['gateway', 'auth', 'router', 'billing', 'log-writer'];
const name = process.argv[2];
if (!SERVICES.includes(name)) {
  console.error(`usage: npm run start:service -- <${SERVICES.join('|')}>`);
  process.exit(2);
}
if (missingBuilds(root, [name]).length) {
  console.error(missingBuildMessage([name]));
  process.exit(1);
}
const child = spawn(process.execPath, [serviceEntry(root, name)], { stdio: 'inherit' });
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
