import type { PGlite } from '@electric-sql/pglite';
import type { Pool } from 'pg';
import type { PrismaClient } from '../generated/client';

export type DatabaseKind = 'postgres' | 'pglite';
/**
 * Where embedded PGlite runs: on this process's event loop, or off it (a worker thread of this process, a child
 * process), reached over a private Unix socket.
 */
export type EmbeddedDatabaseHost = 'in-process' | 'worker-thread' | 'child-process';

export interface Database {
  prisma: PrismaClient;
  kind: DatabaseKind;
  /** Releases this handle; the connection (or the embedded database) closes with the last handle. */
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** Postgres URL; unset → embedded PGlite under `<dataDir>/pglite`. */
  databaseUrl?: string;
  dataDir: string;
  /** Apply pending migrations before returning (once per shared database per process). */
  migrate?: boolean;
  /** Run the idempotent seed (admin user, default group) before returning; implies nothing about migrate. */
  seed?: boolean;
  /** where embedded PGlite runs (no databaseUrl); default 'in-process' (config: EMBEDDED_DB_HOST) */
  embeddedHost?: EmbeddedDatabaseHost;
}

/** What migrate() needs to reach the database behind a handle; kept off the public Database type. */
export type MigrationTarget =
  | { kind: 'postgres'; url: string }
  | { kind: 'pglite'; pglite: PGlite; serialize<T>(fn: () => Promise<T>): Promise<T> }
  | { kind: 'pglite-process'; pool: Pool; serialize<T>(fn: () => Promise<T>): Promise<T> };

export const migrationTargets = new WeakMap<Database, MigrationTarget>();
