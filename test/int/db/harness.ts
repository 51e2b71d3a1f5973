// Helpers for the libs/db integration tests: a throwaway Postgres database per test, and the rule for
// when Postgres may be missing (locally: skip with a message; CI=true: fail).
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import { Client } from 'pg';

const HOST = process.env.PGHOST_TEST ?? '127.0.0.1';
const PORT = Number(process.env.PGPORT_TEST ?? 5432);
const USERS = ['postgres', 'root'];

/** The first user that can connect to the `postgres` database, probed once, synchronously (so `describe` can be chosen). */
function probeAdminUser(): string | undefined {
  const script = `
    const { Client } = require('pg');
    (async () => {
      for (const user of ${JSON.stringify(USERS)}) {
        const c = new Client({ host: ${JSON.stringify(HOST)}, port: ${PORT}, user, database: 'postgres', connectionTimeoutMillis: 3000 });
        try { await c.connect(); await c.query('SELECT 1'); await c.end(); process.stdout.write(user); return; } catch { await c.end().catch(() => {}); }
      }
    })();`;
  try {
    const out = execFileSync(process.execPath, ['-e', script], { cwd: process.cwd(), timeout: 15_000, encoding: 'utf8' }).trim();
    return out || undefined;
  } catch {
    return undefined;
  }
}

export const pgAdminUser = probeAdminUser();
export const isCI = process.env.CI === 'true';

/** `describe` when Postgres is reachable (or CI=true, where its absence must fail), else `describe.skip` with a note. */
export function describePostgres(name: string, fn: () => void): void {
  if (pgAdminUser || isCI) {
    describe(name, fn);
    return;
  }

  console.warn(
    `[${name}] SKIPPED: no Postgres at ${HOST}:${PORT} for users ${USERS.join('/')}. Start it ` +
      '(pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start) or set CI=true to make this a failure.',
  );
  describe.skip(name, fn);
}

function adminClient(database = 'postgres'): Client {
  if (!pgAdminUser) throw new Error(`Postgres is not reachable at ${HOST}:${PORT} (users tried: ${USERS.join(', ')})`);
  return new Client({ host: HOST, port: PORT, user: pgAdminUser, database });
}

export interface ThrowawayDatabase {
  name: string;
  url: string;
  /** a plain pg client on the database, for assertions */
  query<T extends Record<string, unknown> = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  drop(): Promise<void>;
}

export async function createThrowawayDatabase(): Promise<ThrowawayDatabase> {
  const name = `sb_dbtest_${crypto.randomBytes(6).toString('hex')}`;
  const admin = adminClient();
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = `postgresql://${encodeURIComponent(pgAdminUser!)}@${HOST}:${PORT}/${name}`;
  return {
    name,
    url,
    async query(sql, params) {
      const c = adminClient(name);
      await c.connect();
      try {
        return (await c.query(sql, params)).rows;
      } finally {
        await c.end();
      }
    },
    async drop() {
      const c = adminClient();
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** PGlite needs Jest started with --experimental-vm-modules (it imports node built-ins dynamically). */
export function assertVmModules(): void {
  const flags = `${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`;
  if (!flags.includes('--experimental-vm-modules')) {
    throw new Error(
      'PGlite under Jest needs --experimental-vm-modules: run NODE_OPTIONS=--experimental-vm-modules npx jest … ' +
        '(PGlite loads node built-ins with import(), which Jest only supports with that flag).',
    );
  }
}
