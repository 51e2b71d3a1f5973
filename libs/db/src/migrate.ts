import fs from 'node:fs';
import path from 'node:path';
import { Pool } from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import type { MigrationDirectory } from '@prisma/schema-engine-wasm/schema_engine_bg';
import { loadSchemaEngine } from './schema-engine';
import { resolveDbAssets } from './paths';
import { migrationTargets, type Database } from './database.types';

export interface MigrateOptions {
  /** defaults to libs/db/migrations (found from source or dist) */
  migrationsDir?: string;
}

export interface MigrateResult {
  /** names of the migrations this call applied; empty when the database was up to date */
  applied: string[];
}

const LOCKFILE = 'migration_lock.toml';
/** Postgres advisory lock held while migrating, so processes starting together take turns. */
export const MIGRATION_ADVISORY_LOCK = '7370697463686264'; // arbitrary int8, as text for pg

/**
 * Applies the pending migrations (the same `_prisma_migrations` bookkeeping as `prisma migrate deploy`).
 * Idempotent; concurrent calls from several processes against one Postgres serialise on an advisory
 * lock, calls on one PGlite serialise in-process.
 */
export async function migrate(db: Database, opts: MigrateOptions = {}): Promise<MigrateResult> {
  const target = migrationTargets.get(db);
  if (!target) throw new Error('migrate(): not a Database returned by openDatabase()');
  const migrationsDir = opts.migrationsDir ?? resolveDbAssets().migrationsDir;
  // The usual start: nothing to apply. Answered from _prisma_migrations without loading the schema engine (WASM,
  // whose memory would otherwise stay with the process for its lifetime).
  if (await upToDate(db, migrationsDir)) return { applied: [] };
  if (target.kind === 'pglite') {
    return target.serialize(() => applyWith(new PrismaPGlite(target.pglite), migrationsDir));
  }
  if (target.kind === 'pglite-process') {
    // the database's one connection, shared with the client (PGlite is a single session)
    return target.serialize(() => applyWith(new PrismaPg(target.pool), migrationsDir));
  }
  // The engine takes pg_advisory_lock(72707369) itself but gives up after 10 s; queueing on our own lock
  // first (no timeout) means a slow migration in one process never makes the others fail.
  const pool = new Pool({ connectionString: target.url, max: 3, application_name: 'switchboard-migrate' });
  try {
    const lock = await pool.connect();
    try {
      await lock.query('SELECT pg_advisory_lock($1::bigint)', [MIGRATION_ADVISORY_LOCK]);
      try {
        return await applyWith(new PrismaPg(pool), migrationsDir);
      } finally {
        await lock.query('SELECT pg_advisory_unlock($1::bigint)', [MIGRATION_ADVISORY_LOCK]);
      }
    } finally {
      lock.release();
    }
  } finally {
    await pool.end();
  }
}

/**
 * True when every migration in the folder is recorded as applied in `_prisma_migrations` and none is recorded as
 * failed (finished_at and rolled_back_at both NULL: the engine must report that, so it is asked).
 */
async function upToDate(db: Database, migrationsDir: string): Promise<boolean> {
  const [table] = await db.prisma.$queryRawUnsafe<{ present: boolean }[]>(`SELECT to_regclass('_prisma_migrations') IS NOT NULL AS present`);
  if (!table?.present) return false;
  const rows = await db.prisma.$queryRawUnsafe<{ name: string; finished: boolean; rolledBack: boolean }[]>(
    `SELECT migration_name AS name, finished_at IS NOT NULL AS finished, rolled_back_at IS NOT NULL AS "rolledBack"
     FROM _prisma_migrations`,
  );
  if (rows.some((r) => !r.finished && !r.rolledBack)) return false;
  const applied = new Set(rows.filter((r) => r.finished && !r.rolledBack).map((r) => r.name));
  return readMigrationDirectories(migrationsDir).every((d) => applied.has(d.path));
}

export function readMigrationDirectories(migrationsDir: string): MigrationDirectory[] {
  return fs
    .readdirSync(migrationsDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && /^\d{14}_/.test(e.name))
    .map((e) => e.name)
    .sort()
    .map((name) => {
      const file = path.join(migrationsDir, name, 'migration.sql');
      let content: MigrationDirectory['migrationFile']['content'];
      try {
        content = { tag: 'ok', value: fs.readFileSync(file, 'utf8') };
      } catch (err) {
        content = { tag: 'error', value: String(err) };
      }
      return { path: name, migrationFile: { path: 'migration.sql', content } };
    });
}

async function applyWith(adapterFactory: PrismaPg | PrismaPGlite, migrationsDir: string): Promise<MigrateResult> {
  const SchemaEngine = await loadSchemaEngine();
  const assets = resolveDbAssets();
  const datamodels: [string, string][] | undefined = assets.schemaPath ? [['schema.prisma', fs.readFileSync(assets.schemaPath, 'utf8')]] : undefined;
  const lockPath = path.join(migrationsDir, LOCKFILE);
  const engine = await SchemaEngine.new({ datamodels }, () => {}, bindMigrationAwareSqlAdapterFactory(adapterFactory));
  try {
    const out = await engine.applyMigrations({
      migrationsList: {
        baseDir: migrationsDir,
        lockfile: { path: LOCKFILE, content: fs.existsSync(lockPath) ? fs.readFileSync(lockPath, 'utf8') : null },
        shadowDbInitScript: '',
        migrationDirectories: readMigrationDirectories(migrationsDir),
      },
      filters: { externalTables: [], externalEnums: [] },
    });
    return { applied: out.appliedMigrationNames };
  } catch (err) {
    throw engineError('applying migrations failed', err);
  } finally {
    engine.free();
  }
}

/** The engine rejects with plain objects ({ message, error_code, meta }) or strings: make an Error. */
function engineError(context: string, err: unknown): Error {
  if (err instanceof Error) return new Error(`${context}: ${err.message}`, { cause: err });
  if (err && typeof err === 'object') {
    const o = err as { message?: unknown; error_code?: unknown };
    const msg = typeof o.message === 'string' ? o.message : JSON.stringify(err);
    return new Error(`${context}: ${typeof o.error_code === 'string' ? `${o.error_code} ` : ''}${msg}`, { cause: err });
  }
  return new Error(`${context}: ${String(err)}`);
}
