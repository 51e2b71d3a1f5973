import fs from 'node:fs';
import path from 'node:path';

export interface DbAssets {
  /** folder holding `<YYYYMMDDHHMMSS_name>/migration.sql` and migration_lock.toml */
  migrationsDir: string;
  /** prisma/schema.prisma, when shipped (the engine only needs it for diagnostics) */
  schemaPath: string | undefined;
}

let cached: DbAssets | undefined;

/**
 * Finds libs/db's migrations whether this code runs from source (jest, ts) or compiled (dist/libs/db/src,
 * where the build copies the migrations beside it): first `<this lib>/migrations`, then
 * `<package root>/libs/db/migrations`, the package root being the nearest folder up holding package.json.
 */
export function resolveDbAssets(): DbAssets {
  if (cached) return cached;
  const candidates = [path.resolve(__dirname, '..')];
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) {
      candidates.push(path.join(dir, 'libs/db'));
      break;
    }
    if (path.dirname(dir) === dir) break;
  }
  for (const libDir of candidates) {
    const migrationsDir = path.join(libDir, 'migrations');
    if (fs.existsSync(path.join(migrationsDir, 'migration_lock.toml'))) {
      const schemaPath = path.join(libDir, 'prisma/schema.prisma');
      cached = { migrationsDir, schemaPath: fs.existsSync(schemaPath) ? schemaPath : undefined };
      return cached;
    }
  }
  throw new Error(`libs/db migrations not found (looked in ${candidates.map((c) => path.join(c, 'migrations')).join(', ')})`);
}
