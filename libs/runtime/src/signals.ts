import { Logger } from '@nestjs/common';

/** SIGTERM/SIGINT run `close` once (bounded by the drain time), then exit 0, or 1 when it failed. */
export function stopOnSignals(name: string, shutdownTimeoutMs: number, close: () => Promise<void>): (reason: string) => void {
  const logger = new Logger(name);
  let closing = false;
  const stop = (signal: string) => {
    if (closing) return;
    closing = true;
    logger.log(`${signal}: draining and shutting down`);
    const force = setTimeout(() => process.exit(1), shutdownTimeoutMs + 5_000);
    force.unref();
    close().then(
      () => process.exit(0),
      (e: unknown) => {
        logger.error(`shutdown failed: ${(e as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  return stop;
}
