import fs from 'node:fs';
import path from 'node:path';
import { Logger } from '@nestjs/common';
import { PGlite } from '@electric-sql/pglite';
import { Pool } from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { PrismaClient } from '../generated/client';
import { migrate } from './migrate';
import { seed } from './seed';
import { PGLITE_START_PARAMS } from './pglite-params';
import { pgliteHostScript, startPgliteHost, type PgliteHostKind } from './pglite-process';
import {
  migrationTargets,
  type Database,
  type DatabaseKind,
  type EmbeddedDatabaseHost,
  type MigrationTarget,
  type OpenDatabaseOptions,
} from './database.types';

// One process may hold a PGlite directory open only once, and in standalone mode all five services
// ask for the database: handles for the same database share one client, counted; the last close() closes it.
interface Shared {
  kind: DatabaseKind;
  prisma: PrismaClient;
  target: MigrationTarget;
  shutdown(): Promise<void>;
  migrated?: Promise<unknown>;
  seeded?: Promise<unknown>;
}
interface Slot {
  refs: number;
  ready: Promise<Shared>;
}
const slots = new Map<string, Slot>();
/** a closing database, so a reopen of the same directory waits for the files to be released */
const closing = new Map<string, Promise<void>>();
const logger = new Logger('Database');

export async function openDatabase(opts: OpenDatabaseOptions): Promise<Database> {
  const url = opts.databaseUrl?.trim() || undefined;
  const key = url ? `postgres:${url}` : `pglite:${path.resolve(opts.dataDir, 'pglite')}`;
  let slot = slots.get(key);
  if (!slot) {
    const previous = closing.get(key)?.catch(() => undefined); // a failed close still released what it could
    const created: Slot = {
      refs: 0,
      ready: Promise.resolve(previous).then(() => (url ? openPostgres(url) : openPglite(opts.dataDir, opts.embeddedHost ?? 'in-process'))),
    };
    created.ready.catch(() => {
      if (slots.get(key) === created) slots.delete(key);
    });
    slots.set(key, created);
    slot = created;
  }
  slot.refs++; // counted before awaiting, so a concurrent close() of another handle cannot tear it down
  const mine = slot;
  let shared: Shared;
  try {
    shared = await mine.ready;
  } catch (err) {
    mine.refs--;
    throw err;
  }

  let closed = false;
  const db: Database = {
    prisma: shared.prisma,
    kind: shared.kind,
    close: async () => {
      if (closed) return;
      closed = true;
      if (--mine.refs > 0) return;
      if (slots.get(key) === mine) slots.delete(key);
      const done = shared.shutdown().finally(() => {
        if (closing.get(key) === done) closing.delete(key);
      });
      closing.set(key, done);
      await done;
    },
  };
  migrationTargets.set(db, shared.target);

  try {
    if (opts.migrate) await once(shared, 'migrated', () => migrate(db));
    if (opts.seed) await once(shared, 'seeded', () => seed(shared.prisma));
  } catch (err) {
    await db.close();
    throw err;
  }
  return db;
}

function once(shared: Shared, field: 'migrated' | 'seeded', fn: () => Promise<unknown>): Promise<unknown> {
  const p = (shared[field] ??= fn().catch((err: unknown) => {
    shared[field] = undefined;
    throw err;
  }));
  return p;
}

async function openPostgres(url: string): Promise<Shared> {
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: url }) });
  try {
    await prisma.$connect();
  } catch (err) {
    await prisma.$disconnect().catch(() => undefined);
    throw err;
  }
  return {
    kind: 'postgres',
    prisma,
    target: { kind: 'postgres', url },
    shutdown: () => prisma.$disconnect(),
  };
}

async function openPglite(dataDir: string, host: EmbeddedDatabaseHost): Promise<Shared> {
  const dir = path.resolve(dataDir, 'pglite');
  fs.mkdirSync(dir, { recursive: true });
  const claim = claimPidFile(`${dir}.pid`);
  try {
    if (host === 'worker-thread' && !pgliteHostScript()) {
      // TypeScript sources without a build (a test run straight from src/): the worker's entry does not exist
      logger.warn('EMBEDDED_DB_HOST=worker-thread: no compiled pglite-host.js (run the build); PGlite runs in process');
      host = 'in-process';
    }
    return host === 'in-process' ? await pgliteInProcess(dir, claim) : await pgliteInHost(host, dir, claim);
  } catch (err) {
    claim.release();
    throw err;
  }
}

/**
 * A new database is created (initdb) by a child process that exits when done: initdb takes PGlite's WASM heap to
 * ~0.75 GB, which WASM never gives back, so the process that serves the database opens it afterwards (~170 MB). Costs
 * a second or two on the first start. Without the compiled child (TypeScript sources without a build) the caller
 * creates it itself.
 */
async function createInChildProcess(dir: string, claim: PidClaim): Promise<void> {
  if (fs.existsSync(path.join(dir, 'PG_VERSION')) || !pgliteHostScript()) return;
  const init = await startPgliteHost('child-process', dir, { onSpawn: (pid) => claim.setChild(pid), onLost: () => undefined });
  await init.stop();
  // its pid, if reused by an unrelated process after a crash of ours, would otherwise hold the directory claimed
  claim.clearChild();
}

async function pgliteInProcess(dir: string, claim: PidClaim): Promise<Shared> {
  await createInChildProcess(dir, claim);
  const pglite = await PGlite.create({ dataDir: dir, startParams: PGLITE_START_PARAMS });
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(pglite) });
  return {
    kind: 'pglite',
    prisma,
    target: { kind: 'pglite', pglite, serialize: serializer() },
    shutdown: () =>
      closeInOrder(
        () => prisma.$disconnect(),
        () => pglite.close(),
        () => claim.release(),
      ),
  };
}

/**
 * PGlite hosted off this event loop (pglite-host.ts): in a worker thread of this process, or in a child process.
 * Reached with the `pg` driver over a private Unix socket: its queries run synchronously in WASM, and there they no
 * longer stall the event loop that relays HTTP. One connection (PGlite is a single session), shared by the client and
 * migrations. For a child process the pid file names both processes, so the data directory stays claimed while the
 * child is still closing after this process died; a worker thread ends with this process.
 */
async function pgliteInHost(kind: PgliteHostKind, dir: string, claim: PidClaim): Promise<Shared> {
  await createInChildProcess(dir, claim);
  const child = await startPgliteHost(kind, dir, {
    onSpawn: (pid) => claim.setChild(pid),
    onLost: (how) => {
      logger.error(`the embedded database host ended unexpectedly (${how}): stopping (usage records not yet written are in the spool)`);
      process.exit(1);
    },
  });
  const pool = new Pool({ host: child.socketDir, port: child.port, user: 'postgres', database: 'template1', max: 1, idleTimeoutMillis: 0 });
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  try {
    await prisma.$connect();
  } catch (err) {
    await prisma.$disconnect().catch(() => undefined);
    await pool.end().catch(() => undefined);
    await child.stop();
    throw err;
  }
  return {
    kind: 'pglite',
    prisma,
    target: { kind: 'pglite-process', pool, serialize: serializer() },
    shutdown: () =>
      closeInOrder(
        () => prisma.$disconnect(),
        () => pool.end(),
        () => child.stop(),
        () => claim.release(),
      ),
  };
}

/** Runs every step in order, also after one failed (nothing is left open behind a failure); rethrows the first failure. */
async function closeInOrder(...steps: (() => unknown)[]): Promise<void> {
  const failures: unknown[] = [];
  for (const step of steps) {
    try {
      await step();
    } catch (e) {
      failures.push(e);
    }
  }
  if (failures.length) throw failures[0];
}

/** Runs the functions one after the other (migrations on one embedded database, in this process). */
function serializer(): <T>(fn: () => Promise<T>) => Promise<T> {
  let queue: Promise<unknown> = Promise.resolve();
  return <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn, fn);
    queue = run.catch(() => undefined);
    return run;
  };
}

interface PidClaim {
  /** names the process of ours that holds the directory too (the database's child process) */
  setChild(pid: number): void;
  /** that process is gone (the initdb child): the claim names this process only */
  clearChild(): void;
  release(): void;
}

/**
 * PGlite has no lock of its own: a second process on the same directory would corrupt it (say, a
 * second `npm start` with the same DATA_DIR). `<dataDir>/pglite.pid` names the process holding it on its first
 * line, and on the next lines the processes working for it (the database's child process, which may outlive a
 * killed parent by the moment it takes to close the database): the claim holds while any of them is alive.
 */
function claimPidFile(file: string): PidClaim {
  for (let attempt = 0; ; attempt++) {
    try {
      fs.writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 3) throw err;
      const holders = fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .map((l) => Number.parseInt(l, 10))
        .filter((pid) => Number.isInteger(pid) && pid > 0);
      const holder = holders[0] !== process.pid ? holders.find(isAlive) : undefined;
      if (holder !== undefined) {
        throw new Error(
          `the embedded database ${file.replace(/\.pid$/, '')} is in use by process ${holder}; ` +
            `stop it, use another DATA_DIR, or delete ${file} if that process is not Switchboard`,
        );
      }
      fs.rmSync(file, { force: true }); // stale (crashed process) or our own
    }
  }
  let released = false;
  return {
    setChild(pid) {
      fs.writeFileSync(file, `${process.pid}\n${pid}\n`);
    },
    clearChild() {
      fs.writeFileSync(file, `${process.pid}\n`);
    },
    release() {
      if (released) return;
      released = true;
      try {
        if (Number.parseInt(fs.readFileSync(file, 'utf8'), 10) === process.pid) fs.rmSync(file, { force: true });
      } catch {
        // already gone
      }
    },
  };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
