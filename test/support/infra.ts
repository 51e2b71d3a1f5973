import net from 'node:net';

// SB_TEST_REDIS_PORT / SB_TEST_NATS_PORT point a whole run at brokers of its own, so two checkouts can run their
// suites at once on one machine without purging each other's streams and counters.
// SB_TEST_WORKER_BROKERS (set by scripts/test.mjs when the end-to-end tier runs on several Jest workers): each
// worker's own ports, so one worker's cluster never answers another's messages.
const workerBrokers = process.env.SB_TEST_WORKER_BROKERS
  ? (JSON.parse(process.env.SB_TEST_WORKER_BROKERS) as ({ redis: number; nats: number } | null)[])[Number(process.env.JEST_WORKER_ID ?? 1) - 1]
  : null;
const redisPort = workerBrokers?.redis ?? Number(process.env.SB_TEST_REDIS_PORT ?? 6379);
const natsPort = workerBrokers?.nats ?? Number(process.env.SB_TEST_NATS_PORT ?? 4222);

export const INFRA = {
  postgres: { host: '127.0.0.1', port: 5432, url: 'postgres://postgres@127.0.0.1:5432' },
  redis: { host: '127.0.0.1', port: redisPort, url: `redis://127.0.0.1:${redisPort}` },
  nats: { host: '127.0.0.1', port: natsPort, url: `nats://127.0.0.1:${natsPort}` },
} as const;

export type InfraName = keyof typeof INFRA;

export function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port, timeout: 1000 }, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
    s.on('timeout', () => {
      s.destroy();
      resolve(false);
    });
  });
}

/**
 * For suites that need real services: resolves true when all are reachable. When some are not: with CI=true it
 * throws (the suite fails), otherwise it prints why and resolves false so the suite can skip its tests.
 */
export async function requireInfra(...names: InfraName[]): Promise<boolean> {
  const down: string[] = [];
  for (const n of names) if (!(await reachable(INFRA[n].host, INFRA[n].port))) down.push(`${n} (${INFRA[n].host}:${INFRA[n].port})`);
  if (!down.length) return true;
  const msg = `unreachable: ${down.join(', ')}`;
  if (process.env.CI === 'true') throw new Error(`${msg}; CI=true requires every tier to run`);

  console.warn(`SKIPPED: ${msg}. Start them (see README) or run with CI=true to make this a failure.`);
  return false;
}
