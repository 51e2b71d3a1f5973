// Compiles apps/ and libs/ to dist/ with SWC (type checking is `npm run typecheck`), after generating the Prisma client,
// then bundles the admin console (apps/console, a Vite app) into dist/console for the gateway to serve.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
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

// The tokenizer's ranks as JSON beside the module that reads them (apps/gateway/src/relay/tokenizer-ranks.ts; createO200k
// in libs/protocols says why): taken from the installed gpt-tokenizer, so they always match its code.
fs.writeFileSync(
  path.join(root, 'dist/apps/gateway/src/relay/o200k_base.ranks.json'),
  JSON.stringify(require(require.resolve('gpt-tokenizer/bpeRanks/o200k_base', { paths: [root] })).default),
);

// The console is a browser bundle, not a Node program: Vite builds it (apps/console/vite.config.ts), not SWC.
const { build } = await import('vite');
await build({ configFile: path.join(root, 'apps/console/vite.config.ts') });

// Brotli and gzip copies of the text assets, served when a browser accepts them (apps/gateway/src/console/static-files.ts):
// compressed once here at the highest levels rather than on every request.
const assets = path.join(root, 'dist/console/assets');
for (const name of fs.readdirSync(assets)) {
  if (!/\.(js|css|svg|json|html)$/.test(name)) continue;
  const body = fs.readFileSync(path.join(assets, name));
  fs.writeFileSync(path.join(assets, `${name}.br`), zlib.brotliCompressSync(body, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }));
  fs.writeFileSync(path.join(assets, `${name}.gz`), zlib.gzipSync(body, { level: 9 }));
}
