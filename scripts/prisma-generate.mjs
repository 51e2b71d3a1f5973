// Generates the Prisma client (libs/db/generated, TypeScript) offline, and only when needed: the output
// holds a hash of the schema and the Prisma version, so `npm start` / `npm test` skip this in ~50 ms.
// npm 11 runs no install scripts here, so this is an explicit step of the build, never a postinstall.
//
//   node scripts/prisma-generate.mjs [--force]
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const schemaPath = path.join(root, 'libs/db/prisma/schema.prisma');
const outDir = path.join(root, 'libs/db/generated');
const stampPath = path.join(outDir, '.schema-hash');
const force = process.argv.includes('--force');

const prismaPkgPath = require.resolve('prisma/package.json');
const prismaCli = path.join(path.dirname(prismaPkgPath), 'build/index.js');

function wantedHash() {
  const h = crypto.createHash('sha256');
  h.update(fs.readFileSync(schemaPath));
  h.update('\0prisma@' + JSON.parse(fs.readFileSync(prismaPkgPath, 'utf8')).version);
  h.update('\0client@' + JSON.parse(fs.readFileSync(require.resolve('@prisma/client/package.json'), 'utf8')).version);
  return h.digest('hex');
}

function upToDate(hash) {
  try {
    return fs.readFileSync(stampPath, 'utf8').trim() === hash && fs.existsSync(path.join(outDir, 'client.ts'));
  } catch {
    return false;
  }
}

// Several builds may run at once in one checkout (other terminals, CI steps): one generates, the
// others wait and then find the output up to date.
function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
function withLock(fn) {
  const lockDir = path.join(os.tmpdir(), `switchboard-prisma-generate-${crypto.createHash('sha1').update(root).digest('hex').slice(0, 12)}.lock`);
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      fs.mkdirSync(lockDir);
      fs.writeFileSync(path.join(lockDir, 'pid'), String(process.pid));
      break;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      let holder = NaN;
      try {
        holder = Number(fs.readFileSync(path.join(lockDir, 'pid'), 'utf8'));
      } catch {
        /* no pid written yet: holder stays NaN */
      }
      let alive = true;
      if (Number.isInteger(holder) && holder > 0) {
        try {
          process.kill(holder, 0);
        } catch (e) {
          alive = e.code === 'EPERM';
        }
      } else {
        // pid not written yet, or a lock left without one: trust it for a while only
        alive = Date.now() - (fs.statSync(lockDir, { throwIfNoEntry: false })?.mtimeMs ?? 0) < 30_000;
      }
      if (!alive) {
        fs.rmSync(lockDir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lockDir} (held by pid ${holder})`);
      sleep(100);
    }
  }
  try {
    return fn();
  } finally {
    fs.rmSync(lockDir, { recursive: true, force: true });
  }
}

const hash = wantedHash();
if (!force && upToDate(hash)) process.exit(0);

withLock(() => {
  if (!force && upToDate(hash)) return;
  // start clean so a model removed from the schema leaves no stale file behind
  fs.rmSync(outDir, { recursive: true, force: true });
  // Prisma 7's CLI fetches a native schema-engine binary before any command unless this points at an
  // existing executable; `generate` never runs it, so node itself will do.
  const env = {
    ...process.env,
    PRISMA_SCHEMA_ENGINE_BINARY:
      process.env.PRISMA_SCHEMA_ENGINE_BINARY && fs.existsSync(process.env.PRISMA_SCHEMA_ENGINE_BINARY)
        ? process.env.PRISMA_SCHEMA_ENGINE_BINARY
        : process.execPath,
    CHECKPOINT_DISABLE: '1',
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
    PRISMA_HIDE_PRISMA_TIPS: '1',
  };
  try {
    execFileSync(process.execPath, [prismaCli, 'generate', '--schema', schemaPath], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    process.stderr.write(err.stdout?.toString() ?? '');
    process.stderr.write(err.stderr?.toString() ?? '');
    console.error('prisma generate failed');
    process.exit(1);
  }
  fs.writeFileSync(stampPath, hash + '\n');
  console.log(`Generated Prisma client in ${path.relative(root, outDir)}`);
});
