// Compiles apps/ and libs/ to dist/ with SWC (type checking is `npm run typecheck`), after generating the Prisma client,
// then bundles the admin console (apps/console, a Vite app) into dist/console for the gateway to serve.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { root, swcOptions } = require('./swc-config.cjs');

execFileSync(process.execPath, [path.join(root, 'scripts/prisma-generate.mjs')], { stdio: 'inherit', cwd: root });

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-swc-'));
const cfg = path.join(tmp, '.swcrc');
fs.writeFileSync(cfg, JSON.stringify(swcOptions()));
const swc = path.join(root, 'node_modules/.bin/swc');
execFileSync(swc, ['apps', 'libs', '-d', 'dist', '--config-file', cfg, '--copy-files', '--ignore', '**/*.spec.ts,apps/console/**', '--quiet'], {
  stdio: 'inherit',
  cwd: root,
});
fs.rmSync(tmp, { recursive: true, force: true });

// The console is a browser bundle, not a Node program: Vite builds it (apps/console/vite.config.ts), not SWC.
const { build } = await import('vite');
await build({ configFile: path.join(root, 'apps/console/vite.config.ts') });
