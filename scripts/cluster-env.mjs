// Defaults for running the cluster on this machine's standard ports, and creating its database if missing.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';

export const CLUSTER_DEFAULTS = {
  NATS_URL: 'nats://127.0.0.1:4222',
  REDIS_URL: 'redis://127.0.0.1:6379',
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/switchboard',
};

/**
 * Cluster processes refuse to make up their own keys (each would differ). On one machine they share DATA_DIR, so
 * the keys a standalone start generated there (or ones generated here, in the same files) serve all five.
 */
function localKey(dataDir, file, make) {
  const full = path.join(dataDir, file);
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  try {
    fs.writeFileSync(full, make() + '\n', { mode: 0o600, flag: 'wx' });
  } catch (e) {
    if (e.code !== 'EEXIST') throw e;
  }
  return fs.readFileSync(full, 'utf8').trim();
}

export function clusterEnv(env = process.env) {
  const merged = { ...CLUSTER_DEFAULTS, ...Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== '')) };
  const dataDir = path.resolve(merged.DATA_DIR ?? './data');
  merged.ADMIN_KEY ??= localKey(dataDir, 'admin.key', () => 'sb-admin-' + randomBytes(24).toString('base64url'));
  merged.SECRET_KEY ??= localKey(dataDir, 'secret.key', () => randomBytes(32).toString('hex'));
  return merged;
}

/** CREATE DATABASE <name> when it does not exist (connecting to the server's `postgres` database). */
export async function ensureDatabase(url) {
  const u = new URL(url);
  const name = decodeURIComponent(u.pathname.replace(/^\//, ''));
  if (!name) return;
  u.pathname = '/postgres';
  const client = new pg.Client({ connectionString: u.toString() });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
}
