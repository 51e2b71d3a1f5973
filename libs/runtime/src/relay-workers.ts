import cluster, { type Worker } from 'node:cluster';
import { Logger } from '@nestjs/common';
import { loadConfig, type AppConfig } from '@switchboard/config';
import { IpcLink, RelayTargets, WORKER_ID_ENV, primaryLink, workerId } from '@switchboard/messaging';
import { READINESS_CHECKS, processMetrics, setMetricsSource, type ReadinessCheck } from '@switchboard/observability';
import { AggregatorRegistry, type Registry } from 'prom-client';
import { startService, type RunningService, type ServiceDefinition } from './bootstrap';
import { stopOnSignals } from './signals';

/*
 * GATEWAY_WORKERS > 1: one primary process and N relay workers that share the gateway's port through node:cluster
 * (the primary accepts connections and hands them out round-robin). Each worker is a whole gateway: the relay, the
 * admin API, the console, /health and /metrics. What must stay single stays in the primary: in standalone the services,
 * the embedded database and the in-memory stores, which the workers reach over IPC (ServiceDefinition.relay); in the
 * cluster topology nothing (Redis and NATS already make the workers ordinary replicas). The primary also answers two
 * questions for a worker: is the gateway ready (its database) and what are the metrics of all its processes, so that
 * a Prometheus scraping the one port sees the sum whichever worker answers.
 */

/** A worker that crashed is replaced after this (a crash loop costs a fork a second, not a busy loop). */
const RESPAWN_DELAY_MS = 1_000;
/** A worker that does not answer the metrics question within this is left out of that scrape. */
const METRICS_TIMEOUT_MS = 3_000;

type MetricsJson = Awaited<ReturnType<Registry['getMetricsAsJSON']>>;

/** In a relay worker: the gateway part of the definition, linked to the primary. */
export function runRelayWorker(def: ServiceDefinition): void {
  const logger = new Logger(def.name);
  const link = primaryLink()!;
  const id = workerId()!;
  const standalone = def.relay!.primaryFeatures.length > 0;
  // The services (and the database they need) answer in the primary: ready means it is.
  const readiness: ReadinessCheck[] = standalone ? [{ name: 'primary', check: () => link.call(RelayTargets.primary, 'ready', [], 5_000) }] : [];
  startService({ ...def, features: def.relay!.features, database: false, readiness }).then(
    (s) => {
      logger.log(`relay worker ${id} listening on ${s.url} (${s.config.mode} mode)`);
      processMetrics().trackWorker(id);
      link.serve(RelayTargets.worker, (method) => {
        if (method === 'metrics') return processMetrics().registry.getMetricsAsJSON();
        throw new Error(`relay worker: no method ${method}`);
      });
      setMetricsSource(() => link.call<string>(RelayTargets.primary, 'metrics', [], METRICS_TIMEOUT_MS + 2_000));
      link.notify(RelayTargets.primary, 'listening', [s.url]);
      const stop = stopOnSignals(`${def.name}#${id}`, s.config.SHUTDOWN_TIMEOUT_MS, () => s.close());
      // The primary is gone (killed): this worker's usage records and stores went with it; stop taking requests.
      process.once('disconnect', () => {
        link.close();
        stop('primary exited');
      });
    },
    (err: unknown) => {
      logger.error(`relay worker ${id}: ${(err as Error).message}`);
      process.exit(1);
    },
  );
}

/** In the primary: the part that stays single (if any), then the workers; SIGTERM drains the workers, then the rest. */
export function runRelayPrimary(def: ServiceDefinition, count: number, onStarted?: (s: RunningService) => void): void {
  const logger = new Logger(def.name);
  const relay = def.relay!;
  // A start-up error (a bad variable, the database) is reported once, here, before any worker is forked.
  const starting: Promise<{ primary: RunningService | null; config: AppConfig }> = relay.primaryFeatures.length
    ? startService({ ...def, features: relay.primaryFeatures, listen: false, configure: undefined }).then((primary) => ({ primary, config: primary.config }))
    : Promise.resolve().then(() => ({ primary: null, config: loadConfig(def.name) }));
  starting.then(
    ({ primary, config }) => {
      const serveWorker = primary && relay.serveWorker ? relay.serveWorker(primary.app, config) : undefined;
      const checks: ReadinessCheck[] = primary ? primary.app.get<ReadinessCheck[]>(READINESS_CHECKS) : [];
      const pool = new WorkerPool(count, logger, {
        serve: (link) => {
          link.serve(RelayTargets.primary, (method) => {
            if (method === 'ready') return ready(checks);
            if (method === 'metrics') return pool.metrics();
            throw new Error(`primary: no method ${method}`);
          });
          return serveWorker?.(link) ?? (() => undefined);
        },
        onListening: (url) => {
          logger.log(`${def.name} listening on ${url} (${config.mode} mode, ${count} relay workers)`);
          onStarted?.({ app: primary?.app as RunningService['app'], config, url, close: () => Promise.resolve() });
        },
        onFatal: () => stop('a relay worker could not start'),
      });
      const stop = stopOnSignals(def.name, config.SHUTDOWN_TIMEOUT_MS + 10_000, async () => {
        // Workers first: they drain their requests and hand their last usage records to the primary's spool.
        const clean = await pool.stop(config.SHUTDOWN_TIMEOUT_MS + 8_000);
        await primary?.close();
        if (!clean) throw new Error('a relay worker did not exit cleanly');
      });
    },
    (err: unknown) => {
      logger.error((err as Error).message);
      process.exit(1);
    },
  );
}

async function ready(checks: ReadinessCheck[]): Promise<void> {
  const failed: string[] = [];
  await Promise.all(checks.map((c) => c.check().catch((e: unknown) => void failed.push(`${c.name}: ${(e as Error).message}`))));
  if (failed.length) throw new Error(failed.join('; '));
}

interface PoolHooks {
  /** Sets up a new worker's link; returns what to undo when the worker is gone. */
  serve(link: IpcLink): () => void;
  onListening(url: string): void;
  onFatal(): void;
}

/** The N workers: forked with their numbers, replaced when one dies, stopped together. */
class WorkerPool {
  private readonly workers = new Map<number, { worker: Worker; link: IpcLink; listening: boolean }>();
  private stopping = false;
  private announced = false;

  constructor(
    count: number,
    private readonly logger: Logger,
    private readonly hooks: PoolHooks,
  ) {
    for (let id = 1; id <= count; id++) this.fork(id);
  }

  private fork(id: number): void {
    const worker = cluster.fork({ [WORKER_ID_ENV]: String(id) });
    const link = new IpcLink(worker);
    const entry = { worker, link, listening: false };
    this.workers.set(id, entry);
    const unserve = this.hooks.serve(link);
    link.listen(RelayTargets.primary, (method, [url]) => {
      if (method !== 'listening') return;
      entry.listening = true;
      if (!this.announced) {
        this.announced = true;
        this.hooks.onListening(url as string);
      }
    });
    worker.once('exit', (code, signal) => {
      link.close();
      unserve();
      if (this.workers.get(id)?.worker === worker) this.workers.delete(id);
      if (this.stopping) return;
      if (!entry.listening) {
        // It never served: a configuration or start-up error that every replacement would hit too.
        this.logger.error(`relay worker ${id} exited during start (${signal ?? `code ${code}`})`);
        this.hooks.onFatal();
        return;
      }
      this.logger.error(`relay worker ${id} exited (${signal ?? `code ${code}`}); starting a new one`);
      setTimeout(() => {
        if (!this.stopping) this.fork(id);
      }, RESPAWN_DELAY_MS).unref();
    });
  }

  /** The metrics of every process of this gateway, summed (gauges by their own aggregator: bans by max…). */
  async metrics(): Promise<string> {
    const lists = await Promise.all([
      processMetrics().registry.getMetricsAsJSON(),
      ...[...this.workers.values()].map(({ link }) => link.call<MetricsJson>(RelayTargets.worker, 'metrics', [], METRICS_TIMEOUT_MS).catch(() => null)),
    ]);
    return AggregatorRegistry.aggregate(lists.filter((l): l is MetricsJson => l !== null)).metrics();
  }

  /** SIGTERM to every worker (each drains as a single process would), then waits; true when all exited with 0. */
  async stop(timeoutMs: number): Promise<boolean> {
    this.stopping = true;
    const exits = [...this.workers.values()].map(
      ({ worker }) =>
        new Promise<boolean>((resolve) => {
          if (worker.isDead()) return resolve(worker.process.exitCode === 0);
          const kill = setTimeout(() => worker.process.kill('SIGKILL'), timeoutMs);
          worker.once('exit', (code) => {
            clearTimeout(kill);
            resolve(code === 0);
          });
          worker.process.kill('SIGTERM');
        }),
    );
    return (await Promise.all(exits)).every(Boolean);
  }
}
