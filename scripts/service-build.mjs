// Where the compiled services live, and what to do when they are not there. Starting a service never builds: a build
// rewrites dist/ under every service already running from it (`npm run build` once, then start and restart freely).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const serviceEntry = (root, name) => path.join(root, 'dist/apps', name, 'src/main.js');

export const missingBuilds = (root, names) => names.filter((n) => !fs.existsSync(serviceEntry(root, n)));

export const missingBuildMessage = (missing) =>
  `no build of ${missing.join(', ')} in dist/: run \`npm run build\` once, then start again (starting a service does not build)`;

/** For start:cluster, which starts every service itself: a missing build is made once, before any of them runs. */
export function buildOnceIfMissing(root, names) {
  const missing = missingBuilds(root, names);
  if (!missing.length) return;
  console.log(`no build of ${missing.join(', ')} in dist/: building once`);
  execFileSync(process.execPath, [path.join(root, 'scripts/build.mjs')], { stdio: 'inherit', cwd: root });
}
