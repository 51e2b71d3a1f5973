import cluster from 'node:cluster';
import { Logger } from '@nestjs/common';
import { parseEnv } from '@switchboard/config';
import { workerId } from '@switchboard/messaging';
import { startService, type RunningService, type ServiceDefinition } from './bootstrap';
import { boundHeapGrowth } from './heap-growth';
import { runRelayPrimary, runRelayWorker } from './relay-workers';
import { stopOnSignals } from './signals';

/** For main.ts files: start, print, stop cleanly on SIGTERM/SIGINT, exit 1 on a start-up error. */
export function runMain(def: ServiceDefinition, onStarted?: (s: RunningService) => void): void {
  boundHeapGrowth();
  const workers = def.relay ? relayWorkerCount() : 1;
  if (def.relay && workers > 1 && workerId() !== undefined) return runRelayWorker(def);
  if (def.relay && workers > 1 && cluster.isPrimary) return runRelayPrimary(def, workers, onStarted);
  const logger = new Logger(def.name);
  startService(def).then(
    (s) => {
      logger.log(`${def.name} listening on ${s.url} (${s.config.mode} mode)`);
      onStarted?.(s);
      stopOnSignals(def.name, s.config.SHUTDOWN_TIMEOUT_MS, () => s.close());
    },
    (err: unknown) => {
      // ConfigError lists every bad variable in its message.
      logger.error((err as Error).message);
      process.exit(1);
    },
  );
}

/** GATEWAY_WORKERS, or 1 when the environment is invalid (startService then reports every bad variable). */
function relayWorkerCount(env: NodeJS.ProcessEnv = process.env): number {
  try {
    return parseEnv(env).GATEWAY_WORKERS;
  } catch {
    return 1;
  }
}
