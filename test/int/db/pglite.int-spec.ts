import 'reflect-metadata';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Inject, Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DATABASE, DbModule, PrismaService, migrate, openDatabase, type Database } from '@switchboard/db';
import { assertVmModules } from './harness';
import { checkMoneyRoundTrip, checkSeedIsIdempotent, checkTransactions, migrationNames } from './checks';
import { isAlive } from '../../support/process';

jest.setTimeout(45_000);

// One data directory for the file: creating a PGlite cluster (initdb in WASM) costs seconds.
describe('libs/db on PGlite', () => {
  let dataDir: string;
  beforeAll(() => {
    assertVmModules();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-db-pglite-'));
  });
  afterAll(() => {
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('migrate applies every migration once, also when called concurrently; seed is idempotent; money round-trips; transactions work', async () => {
    const db = await openDatabase({ dataDir });
    try {
      expect(db.kind).toBe('pglite');
      expect(fs.existsSync(path.join(dataDir, 'pglite', 'PG_VERSION'))).toBe(true);
      const results = await Promise.all([migrate(db), migrate(db)]);
      expect(results.flatMap((r) => r.applied)).toEqual(migrationNames());
      expect(await migrate(db)).toEqual({ applied: [] });
      const recorded = await db.prisma.$queryRawUnsafe<{ n: number }[]>('SELECT count(*)::int AS n FROM _prisma_migrations WHERE finished_at IS NOT NULL');
      expect(recorded[0].n).toBe(migrationNames().length);

      await checkSeedIsIdempotent(db.prisma);
      await checkMoneyRoundTrip(db.prisma);
      await checkTransactions(db.prisma);
    } finally {
      await db.close();
    }
  });

  test('data survives close and reopen', async () => {
    const first = await openDatabase({ dataDir, migrate: true });
    await first.prisma.redemption.create({ data: { code: 'SURVIVE-1', valueMicros: 42_000_000n } });
    await first.close();

    const second = await openDatabase({ dataDir, migrate: true });
    try {
      expect(second.prisma).not.toBe(first.prisma);
      expect(await second.prisma.redemption.findUnique({ where: { code: 'SURVIVE-1' } })).toMatchObject({ valueMicros: 42_000_000n, usedAt: null });
      expect(await migrate(second)).toEqual({ applied: [] });
    } finally {
      await second.close();
    }
  });

  test('a second process cannot open the same directory; a stale claim is taken over', async () => {
    const pidFile = path.join(dataDir, 'pglite.pid');
    expect(fs.existsSync(pidFile)).toBe(false); // released by the last close

    fs.writeFileSync(pidFile, `${process.ppid}\n`); // a live process that is not us
    await expect(openDatabase({ dataDir })).rejects.toThrow(new RegExp(`in use by process ${process.ppid}`));

    const dead = spawnSync(process.execPath, ['-e', '0']).pid; // exited: its claim is stale
    fs.writeFileSync(pidFile, `${dead}\n`);
    const db = await openDatabase({ dataDir });
    try {
      expect(fs.readFileSync(pidFile, 'utf8').trim()).toBe(String(process.pid));
    } finally {
      await db.close();
    }
    expect(fs.existsSync(pidFile)).toBe(false);
  });

  test('every handle for one dataDir shares one PGlite, closed with the last handle', async () => {
    const [a, b, c] = await Promise.all([openDatabase({ dataDir }), openDatabase({ dataDir: dataDir + '/' }), openDatabase({ dataDir })]);
    expect(b.prisma).toBe(a.prisma);
    expect(c.prisma).toBe(a.prisma);
    await a.close();
    await a.close(); // idempotent per handle: must not release b's or c's share
    await b.close();
    await expect(c.prisma.user.count()).resolves.toBeGreaterThanOrEqual(1);
    await c.close();

    const reopened = await openDatabase({ dataDir });
    try {
      expect(reopened.prisma).not.toBe(a.prisma);
      await expect(reopened.prisma.user.count()).resolves.toBeGreaterThanOrEqual(1);
    } finally {
      await reopened.close();
    }
  });

  test('DbModule injects PrismaService and the Database, and closes them at shutdown', async () => {
    @Injectable()
    class Probe {
      constructor(
        readonly prisma: PrismaService,
        @Inject(DATABASE) readonly db: Database,
      ) {}
    }
    @Module({ imports: [DbModule.forRoot({ dataDir, migrate: true, seed: true })], providers: [Probe] })
    class AppModule {}

    const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
    const probe = app.get(Probe);
    expect(probe.db.kind).toBe('pglite');
    expect(probe.prisma).toBe(probe.db.prisma);
    expect(await probe.prisma.user.count({ where: { name: 'admin', builtin: true } })).toBe(1);

    // while the app holds the database, another openDatabase in this process shares it
    const other = await openDatabase({ dataDir });
    expect(other.prisma).toBe(probe.db.prisma);
    await other.close();

    await app.close();
    // the app's handle was released: a new open gets a new instance on the same files
    const after = await openDatabase({ dataDir });
    try {
      expect(after.prisma).not.toBe(probe.db.prisma);
      expect(await after.prisma.redemption.count({ where: { code: 'SURVIVE-1' } })).toBe(1);
    } finally {
      await after.close();
    }
  });
});

// PGlite off the caller's event loop (the compiled libs/db/src/pglite-host.js: run after a build), reached with the pg
// driver over a Unix socket: in a worker thread (standalone's default) or a child process. The same schema checks,
// plus the host's lifetime.
describe.each(['worker-thread', 'child-process'] as const)('libs/db on PGlite hosted in a %s', (embeddedHost) => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `sb-db-pglite-${embeddedHost}-`));
  });
  afterAll(() => {
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('migrates (concurrently too), seeds, round-trips money, runs transactions; close stops the host and releases the claim', async () => {
    const threadsBefore = threadCount();
    const db = await openDatabase({ dataDir, embeddedHost });
    const pidFile = path.join(dataDir, 'pglite.pid');
    const [owner, child] = fs.readFileSync(pidFile, 'utf8').trim().split('\n').map(Number);
    const threadsOpen = threadCount();
    try {
      expect(db.kind).toBe('pglite');
      expect(owner).toBe(process.pid);
      if (embeddedHost === 'child-process') expect(isAlive(child)).toBe(true);
      else {
        expect(child).toBeUndefined(); // no process of its own (nor the initdb child's, gone)
        expect(threadsOpen).toBeGreaterThan(threadsBefore); // the worker thread
      }
      const results = await Promise.all([migrate(db), migrate(db)]);
      expect(results.flatMap((r) => r.applied)).toEqual(migrationNames());
      expect(await migrate(db)).toEqual({ applied: [] });
      await checkSeedIsIdempotent(db.prisma);
      await checkMoneyRoundTrip(db.prisma);
      await checkTransactions(db.prisma);
    } finally {
      await db.close();
    }
    if (embeddedHost === 'child-process') expect(isAlive(child)).toBe(false);
    else expect(threadCount()).toBeLessThan(threadsOpen); // the worker thread ended
    expect(fs.existsSync(pidFile)).toBe(false);

    // the same files, now in this process: the data is there
    const again = await openDatabase({ dataDir, migrate: true });
    try {
      expect(await again.prisma.user.count({ where: { name: 'admin' } })).toBe(1);
    } finally {
      await again.close();
    }
  });
});

/** this process's threads (a worker thread is one more) */
function threadCount(): number {
  return fs.readdirSync('/proc/self/task').length;
}
