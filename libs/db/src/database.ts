import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { PrismaClient } from '../generated/client';
import { migrate } from './migrate';
import { seed } from './seed';
import { migrationTargets, type Database, type DatabaseKind, type MigrationTarget, type OpenDatabaseOptions } from './database.types';

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

export async function openDatabase(opts: OpenDatabaseOptions): Promise<Database> {
  const url = opts.databaseUrl?.trim() || undefined;
  const key = url ? `postgres:${url}` : `pglite:${path.resolve(opts.dataDir, 'pglite')}`;
  let slot = slots.get(key);
  if (!slot) {
    const previous = closing.get(key)?.catch(() => undefined); // a failed close still released what it could
    const created: Slot = { refs: 0, ready: Promise.resolve(previous).then(() => (url ? openPostgres(url) : openPglite(opts.dataDir))) };
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

/**
 * PGlite's own start parameters plus a 16 MB shared_buffers: the default (128 MB) lives inside the WASM heap of the
 * gateway process; measured on an existing data dir, RSS 278 → 190 MB, and Switchboard's tables are small.
 */
const PGLITE_START_PARAMS = [
  '--single', '-F', '-O', '-j',
  '-c', 'search_path=public',
  '-c', 'exit_on_error=false',
  '-c', 'log_checkpoints=false',
  '-c', 'max_worker_processes=0',
  '-c', 'max_parallel_workers=0',
  '-c', 'max_parallel_workers_per_gather=0',
  '-c', 'shared_buffers=16MB',
];

async function openPglite(dataDir: string): Promise<Shared> {
  const dir = path.resolve(dataDir, 'pglite');
  fs.mkdirSync(dir, { recursive: true });
  const releasePid = claimPidFile(`${dir}.pid`);
  let pglite: PGlite;
  try {
    pglite = await PGlite.create({ dataDir: dir, startParams: PGLITE_START_PARAMS });
  } catch (err) {
    releasePid();
    throw err;
  }
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(pglite) });
  let queue: Promise<unknown> = Promise.resolve();
  return {
    kind: 'pglite',
    prisma,
    target: {
      kind: 'pglite',
      pglite,
      serialize<T>(fn: () => Promise<T>): Promise<T> {
        const run = queue.then(fn, fn);
        queue = run.catch(() => undefined);
        return run;
      },
    },
    shutdown: async () => {
      try {
        await prisma.$disconnect();
      } finally {
        try {
          await pglite.close();
        } finally {
          releasePid();
        }
      }
    },
  };
}

/**
 * PGlite has no lock of its own: a second process on the same directory would corrupt it (say, a
 * second `npm start` with the same DATA_DIR). `<dataDir>/pglite.pid` names the process holding it.
 */
function claimPidFile(file: string): () => void {
  for (let attempt = 0; ; attempt++) {
    try {
      fs.writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 3) throw err;
      const holder = Number.parseInt(fs.readFileSync(file, 'utf8'), 10);
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isAlive(holder)) {
        throw new Error(
          `the embedded database ${file.replace(/\.pid$/, '')} is in use by process ${holder}; ` +
            `stop it, use another DATA_DIR, or delete ${file} if that process is not Switchboard`,
        );
      }
      fs.rmSync(file, { force: true }); // stale (crashed process) or our own
    }
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    try {
      if (Number.parseInt(fs.readFileSync(file, 'utf8'), 10) === process.pid) fs.rmSync(file, { force: true });
    } catch {
      // already gone
    }
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
