/**
 * One line per interval for a failure that repeats per request (an outage of Redis would otherwise log once per
 * request): the first occurrence is written at once, the rest of the interval is counted and reported with the next.
 */
export class LogThrottle {
  private last = -Infinity;
  private suppressed = 0;

  constructor(
    private readonly write: (line: string) => void,
    private readonly intervalMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  log(message: string): void {
    const t = this.now();
    if (t - this.last < this.intervalMs) {
      this.suppressed++;
      return;
    }
    const more = this.suppressed ? ` (and ${this.suppressed} more like it since the last such line)` : '';
    this.last = t;
    this.suppressed = 0;
    this.write(message + more);
  }
}
