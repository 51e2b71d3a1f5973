import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { LimitKeys } from '@switchboard/limits';

export const REDIS_URL = process.env.REDIS_URL ?? `redis://127.0.0.1:${process.env.SB_TEST_REDIS_PORT ?? 6379}`;

/**
 * Jest cannot skip a suite from an async hook, so reachability is probed synchronously in a child process before the
 * suites are declared. Returns null when Redis answers PING, else why not.
 */
function probeRedis(): string | null {
  const script = `
    const { Redis } = require(${JSON.stringify(require.resolve('ioredis'))});
    const r = new Redis(process.argv[1], { lazyConnect: true, connectTimeout: 1500, maxRetriesPerRequest: 0, retryStrategy: () => null });
    r.on('error', () => {});
    r.connect().then(() => r.ping()).then(() => { r.disconnect(); process.exit(0); },
      (e) => { console.error(e && e.message); process.exit(1); });`;
  const res = spawnSync(process.execPath, ['-e', script, REDIS_URL], { timeout: 5000, encoding: 'utf8' });
  if (res.status === 0) return null;
  return (res.stderr || res.error?.message || `exit ${res.status}`).trim();
}

const unreachable = probeRedis();

/** describe() when Redis is reachable; otherwise skipped with a message, or failing when CI=true. */
export function describeWithRedis(name: string, body: () => void): void {
  if (!unreachable) {
    describe(name, body);
  } else if (process.env.CI === 'true') {
    describe(name, () => {
      it('needs Redis', () => {
        throw new Error(`Redis unreachable at ${REDIS_URL}: ${unreachable}. CI=true, so this is a failure, not a skip.`);
      });
    });
  } else {
    console.warn(`SKIPPED "${name}": Redis unreachable at ${REDIS_URL} (${unreachable}). Start Redis or set REDIS_URL; with CI=true these tests fail instead.`);
    describe.skip(name, body);
  }
}

export function connect(): Redis {
  return new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
}

/** A key prefix no other test (or engineer) uses; Redis is shared. */
export function uniquePrefix(): string {
  return `sbtest-limits-${randomBytes(6).toString('hex')}`;
}

/** Deletes every key under the prefix (never FLUSHDB: the server is shared). */
export async function deletePrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', new LimitKeys(prefix).pattern(), 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
}
