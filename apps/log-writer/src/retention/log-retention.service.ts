import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@switchboard/config';
import { processMetrics } from '@switchboard/observability';
import { RequestLogRepository, type RequestLogs } from '../logs/request-log.repository';

const SWEEP_INTERVAL_MS = 60 * 60_000;
const FIRST_SWEEP_DELAY_MS = 30_000;
export const RETENTION_BATCH = 5_000;

/**
 * Deletes request logs older than LOG_RETENTION_DAYS, in batches of 5000 rows per statement so no statement holds
 * locks or bloats WAL for long, with a pause between batches so inserts keep flowing. Hourly, and once shortly
 * after start. Several log-writer replicas may sweep at once: a row deleted twice is simply not found the second time.
 */
@Injectable()
export class LogRetentionService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(LogRetentionService.name);
  private timers: NodeJS.Timeout[] = [];
  private sweeping: Promise<number> | null = null;
  private stopped = false;

  constructor(
    @Inject(RequestLogRepository) private readonly logs: RequestLogs,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const tick = () =>
      void this.sweep()
        .then(() => this.sweepBodies())
        .catch((e: unknown) => this.logger.warn(`log retention sweep failed: ${(e as Error).message}`));
    this.timers = [setTimeout(tick, FIRST_SWEEP_DELAY_MS), setInterval(tick, SWEEP_INTERVAL_MS)];
    for (const t of this.timers) t.unref();
  }

  onModuleDestroy(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
  }

  /** Deletes every log older than the retention; resolves to the number deleted. One sweep at a time. */
  sweep(retentionDays = this.config.LOG_RETENTION_DAYS, batch = RETENTION_BATCH): Promise<number> {
    this.sweeping ??= this.run(retentionDays, batch).finally(() => {
      this.sweeping = null;
    });
    return this.sweeping;
  }

  /** Deletes every logged body older than LOG_BODY_RETENTION_DAYS (their own, shorter retention); resolves to the number deleted. */
  async sweepBodies(retentionDays = this.config.LOG_BODY_RETENTION_DAYS, batch = RETENTION_BATCH): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.logs.deleteBodiesOlderThan(retentionDays, batch);
      total += n;
      if (n < batch || this.stopped) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    if (total) this.logger.log(`deleted ${total} logged request bod(ies) older than ${retentionDays} day(s)`);
    return total;
  }

  private async run(retentionDays: number, batch: number): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.logs.deleteOlderThan(retentionDays, batch);
      total += n;
      processMetrics().logRetentionDeleted.inc(n);
      if (n < batch || this.stopped) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    if (total) this.logger.log(`deleted ${total} request log(s) older than ${retentionDays} day(s)`);
    return total;
  }
}
