import fs from 'node:fs';
import path from 'node:path';

let cached: string | undefined;

/**
 * The release this process runs: the `version` of the nearest package.json above this file (the repository root from
 * source or dist/, /app in the image), so `node dist/…` reports the same as `npm start`.
 */
export function appVersion(): string {
  if (cached) return cached;
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) {
      const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.version) return (cached = pkg.version);
    }
    if (path.dirname(dir) === dir) return (cached = 'unknown');
  }
}
