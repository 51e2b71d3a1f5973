import { IpcLink, type IpcEndpoint } from './ipc-link';

/**
 * Set by the primary on the relay workers it forks (GATEWAY_WORKERS > 1): the worker's number, 1…N, kept by a
 * replacement. A process forked by another supervisor (pm2's cluster mode) has no such variable and stays on its own.
 */
export const WORKER_ID_ENV = 'SWITCHBOARD_WORKER_ID';

let link: IpcLink | null | undefined;

/** This relay worker's link to its primary; undefined in any other process. */
export function primaryLink(): IpcLink | undefined {
  if (link === undefined) link = workerId() !== undefined && typeof process.send === 'function' ? new IpcLink(process as unknown as IpcEndpoint) : null;
  return link ?? undefined;
}

/** This process's worker number (1…GATEWAY_WORKERS) when it is a relay worker. */
export function workerId(): number | undefined {
  const v = Number(process.env[WORKER_ID_ENV]);
  return Number.isInteger(v) && v > 0 ? v : undefined;
}

/**
 * What a primary serves its relay workers over IPC, besides the bus (BUS_TARGET) and the usage queue (USAGE_TARGET):
 * its stores (standalone: one of each for all workers, so they count as one process would) and the process-level
 * questions (`primary`: readiness, the metrics of every process). A worker serves `worker` (its own metrics).
 */
export const RelayTargets = {
  limits: 'limits',
  health: 'health',
  sessions: 'sessions',
  /** the cache plugin's answers */
  answers: 'answers',
  primary: 'primary',
  worker: 'worker',
} as const;

/** How a worker's store calls its primary's: `call(method, args)` on one target. */
export function remoteTarget(link: IpcLink, target: string): (method: string, args: unknown[]) => Promise<unknown> {
  return (method, args) => link.call(target, method, args);
}
