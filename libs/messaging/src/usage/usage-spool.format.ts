import fs from 'node:fs';
import type { Logger } from '@nestjs/common';
import { isPlainUsageRecord, UsageRecord, type UsageRejected } from '@switchboard/contracts';
import type { DeadLetter } from './usage-queue';

/** A record that failed validation at publish: it travels (and is kept) as a dead letter, never billed or logged. */
export class RejectedRecord {
  constructor(readonly rejected: UsageRejected) {}
}

/** What a usage spool line holds. */
export type SpoolEntry = UsageRecord | RejectedRecord;

/** The characters of a record's logged bodies (0 without): what bounds a batch besides its record count. */
export const bodyCharsOf = (e: SpoolEntry): number =>
  e instanceof RejectedRecord || !e.bodies ? 0 : e.bodies.request.length + (e.bodies.response?.length ?? 0);

/**
 * The record as it may enter the queue: valid, or a RejectedRecord naming what is wrong. Validation happens once, at
 * publish, so a bad record is dead-lettered at once instead of failing every batch it is delivered in.
 */
export function validateForPublish(record: UsageRecord): SpoolEntry {
  const checked = checkUsageRecord(record);
  return typeof checked === 'string' ? new RejectedRecord({ record, error: checked }) : checked;
}

/** The record, or what is wrong with it. */
export function checkUsageRecord(record: unknown): UsageRecord | string {
  if (isPlainUsageRecord(record)) return record;
  const parsed = UsageRecord.safeParse(record);
  if (parsed.success) return parsed.data;
  return `invalid usage record: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`;
}

/** One line of a spool file: a record as JSON, a rejected one as `{"rejected":{record,error}}`. */
export function spoolLine(e: SpoolEntry): string {
  return JSON.stringify(e instanceof RejectedRecord ? { rejected: e.rejected } : e) + '\n';
}

/** `{"done":n}` (the cluster outbox): the n oldest entries before this line were sent or dropped. */
export function doneLine(n: number): string {
  return `{"done":${n}}\n`;
}

/**
 * The entries of a spool file that are still pending. A line that is not JSON is a torn write from a crash (the
 * response had not ended, nothing to bill) and is skipped; JSON that is not a valid record is kept as a rejected one
 * (it is dead-lettered, not dropped).
 */
export function readSpoolFile(file: string, logger: Logger): SpoolEntry[] {
  let text = '';
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const out: SpoolEntry[] = [];
  let done = 0;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      logger.warn('skipping an unreadable spool line');
      continue;
    }
    const o = (json !== null && typeof json === 'object' ? json : {}) as { rejected?: UsageRejected; done?: unknown };
    if (typeof o.done === 'number') done += o.done;
    else if (o.rejected && typeof o.rejected === 'object') out.push(new RejectedRecord({ record: o.rejected.record, error: String(o.rejected.error) }));
    else out.push(validateForPublish(json as UsageRecord));
  }
  return done ? out.slice(done) : out;
}

/** A batch's entries split into records to commit and dead letters to keep. */
export function splitEntries(entries: readonly SpoolEntry[]): { records: UsageRecord[]; letters: DeadLetter[] } {
  const records: UsageRecord[] = [];
  const letters: DeadLetter[] = [];
  for (const e of entries) {
    if (e instanceof RejectedRecord) letters.push(rejectedLetter(e.rejected));
    else records.push(e);
  }
  return { records, letters };
}

export function rejectedLetter(r: UsageRejected): DeadLetter {
  return { record: r.record, error: `rejected at publish: ${r.error}` };
}
