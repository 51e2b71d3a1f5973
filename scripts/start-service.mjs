// `npm run start:service -- <name>`: one service of the cluster in this process (what the container image runs).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SERVICES = ['gateway', 'auth', 'router', 'billing', 'log-writer'];
const name = process.argv[2];
if (!SERVICES.includes(name)) {
  console.error(`usage: npm run start:service -- <${SERVICES.join('|')}>`);
  process.exit(2);
}
const child = spawn(process.execPath, [path.join(root, 'dist/apps', name, 'src/main.js')], { stdio: 'inherit' });
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
