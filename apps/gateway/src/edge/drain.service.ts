import { Inject, Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@switchboard/config';
import { markDraining } from '@switchboard/observability';

/**
 * Graceful shutdown of the edge: on SIGTERM readiness turns 503 and new relay requests are refused, requests and
 * streams in flight run to their end for up to SHUTDOWN_TIMEOUT_MS, then the rest are ended (a stream with the
 * client protocol's in-stream error) so that their usage records are still published and flushed before exit.
 */
@Injectable()
export class DrainService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(DrainService.name);
  private readonly inflight = new Set<() => void>();
  private draining = false;
  private idle: (() => void) | null = null;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  get isDraining(): boolean {
    return this.draining;
  }

  /** Registers an in-flight request; `abort` ends it early when the drain times out. Returns the release. */
  enter(abort: () => void): () => void {
    this.inflight.add(abort);
    return () => {
      this.inflight.delete(abort);
      if (!this.inflight.size) this.idle?.();
    };
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.draining = true;
    markDraining();
    if (!this.inflight.size) return;
    this.logger.log(`draining ${this.inflight.size} request(s) for up to ${this.config.SHUTDOWN_TIMEOUT_MS} ms`);
    const drained = new Promise<void>((r) => (this.idle = r));
    const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), this.config.SHUTDOWN_TIMEOUT_MS).unref());
    if ((await Promise.race([drained, timer])) === 'timeout') {
      this.logger.warn(`ending ${this.inflight.size} request(s) still running at the shutdown deadline`);
      for (const abort of this.inflight) abort();
      await Promise.race([drained, new Promise((r) => setTimeout(r, 2_000).unref())]);
    }
  }
}
