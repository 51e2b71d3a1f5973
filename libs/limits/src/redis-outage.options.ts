import type { Redis, RedisOptions } from 'ioredis';

/** A command to a Redis that accepts but does not answer (paused, partitioned) fails after this. */
export const REDIS_COMMAND_TIMEOUT_MS = 2_000;

/**
 * How the hot path's Redis clients (limits, health) behave while Redis is away: every command fails within a bound
 * (the relay answers 503 at once instead of hanging), nothing is run late, and the client reconnects by itself.
 */
export const REDIS_OUTAGE_OPTIONS: RedisOptions = {
  commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
  connectTimeout: REDIS_COMMAND_TIMEOUT_MS,
  maxRetriesPerRequest: 1,
  // A command whose answer was lost with the connection is not sent again after reconnecting: its caller has
  // failed and moved on (an acquire run then would hold a concurrency slot and a reservation nobody settles).
  autoResendUnfulfilledCommands: false,
  // Back within about a second of Redis returning (ioredis' default backs off to 5 s).
  retryStrategy: (attempt: number) => Math.min(attempt * 100, 1_000),
};

/**
 * Commands queue until the first connection (start-up must not fail for being a few ms early); after it, a command
 * while disconnected fails at once instead of waiting in ioredis' offline queue, which would run it after the
 * outage, long after its request ended. ioredis reads the option at each command.
 */
export function failFastOnceConnected(client: Redis): Redis {
  client.once('ready', () => {
    client.options.enableOfflineQueue = false;
  });
  return client;
}

/** Resolves when the client is connected and Redis answers; rejects at once when it is not connected. */
export async function pingRedis(client: { readonly status: string; ping(): Promise<unknown> }): Promise<void> {
  if (client.status !== 'ready') throw new Error(`not connected (${client.status})`);
  await client.ping();
}
