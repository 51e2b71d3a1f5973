import fs from 'node:fs';
import path from 'node:path';
import { Logger } from '@nestjs/common';
import { processMetrics } from '@switchboard/observability';
import { doneLine, readSpoolFile, spoolLine, type SpoolEntry } from './usage-spool.format';

/**
 * Cluster mode's gateway-side spool: the usage records a gateway could not hand to NATS yet, on disk under
 * `DATA_DIR/spool/outbox-<name>.jsonl`, so a gateway that dies during a NATS outage sends them after its restart. The
 * name tells the gateways sharing a DATA_DIR apart (their port: unique on a host, and the same after a restart, so a
 * restarted gateway replays its own file). Lines are records (the standalone spool's format) and `{"done":n}` markers
 * for entries sent since; the file is emptied whenever nothing waits.
 */
const openFiles = new Set<string>();

export class UsageOutbox {
  private readonly logger = new Logger(UsageOutbox.name);
  readonly file: string;
  private readonly fd: number;
  private bytes = 0;
  /** entries in the file not yet marked done */
  private held = 0;
  private closed = false;

  constructor(dataDir: string, name: string) {
    const dir = path.join(dataDir, 'spool');
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.file = path.join(dir, `outbox-${name.replace(/[^\w.-]/g, '_')}.jsonl`);
    if (openFiles.has(this.file)) throw new Error(`usage outbox ${this.file} is already open in this process`);
    openFiles.add(this.file);
    this.fd = fs.openSync(this.file, 'a+', 0o600);
    this.bytes = fs.fstatSync(this.fd).size;
    processMetrics().usageSpoolBytes.set(this.bytes);
  }

  /** What the previous holder of this slot left unsent (read once, at start). */
  replay(): SpoolEntry[] {
    const entries = readSpoolFile(this.file, this.logger);
    this.rewrite(entries);
    if (entries.length) this.logger.log(`replaying ${entries.length} usage record(s) spooled while NATS was unreachable`);
    return entries;
  }

  /** Appends entries (synchronously: they must survive this process). */
  append(entries: readonly SpoolEntry[]): void {
    if (!entries.length || this.closed) return;
    let text = '';
    for (const e of entries) text += spoolLine(e);
    this.write(text);
    this.held += entries.length;
  }

  /** The n oldest held entries were sent (or dropped). */
  done(n: number): void {
    if (n <= 0 || !this.held || this.closed) return;
    n = Math.min(n, this.held);
    this.held -= n;
    if (!this.held) this.rewrite([]);
    else this.write(doneLine(n));
  }

  holding(): number {
    return this.held;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    fs.closeSync(this.fd);
    openFiles.delete(this.file);
  }

  /** Replaces the file's content with these entries (compacts the done markers away). */
  private rewrite(entries: readonly SpoolEntry[]): void {
    fs.ftruncateSync(this.fd, 0);
    this.bytes = 0;
    this.held = 0;
    this.append(entries);
    processMetrics().usageSpoolBytes.set(this.bytes);
  }

  private write(text: string): void {
    fs.writeSync(this.fd, text);
    this.bytes += Buffer.byteLength(text);
    processMetrics().usageSpoolBytes.set(this.bytes);
  }
}
