import type { OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';

/**
 * A check billing runs at start-up and then every interval, one run at a time: a caller arriving during a run (the
 * admin API, the timer) gets that run's report. Subclasses say what to check, how to publish a report (metrics,
 * logs) and how to record a failed run; a failed run rejects for a direct caller and is retried next interval.
 */
export abstract class PeriodicCheck<T> implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private running: Promise<T> | null = null;

  /** How often the check runs (it also runs once at start-up). */
  protected abstract get intervalMs(): number;
  abstract check(): Promise<T>;
  protected abstract publish(report: T): void;
  protected abstract failed(e: Error): void;

  onApplicationBootstrap(): void {
    const tick = () => void this.reconcile().catch(() => undefined);
    setImmediate(tick);
    this.timer = setInterval(tick, this.intervalMs);
    this.timer.unref();
  }

  /** Stops the timer and waits for a run in progress. */
  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** Runs the check now, or joins the run in progress. */
  reconcile(): Promise<T> {
    this.running ??= this.check()
      .then((report) => {
        this.publish(report);
        return report;
      })
      .catch((e: unknown) => {
        this.failed(e as Error);
        throw e;
      })
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }
}
