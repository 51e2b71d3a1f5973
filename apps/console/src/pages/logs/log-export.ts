/**
 * Walks the cursor pages of one filter for the CSV export. The cursor is keyset (createdAt, requestId), so records
 * written during the export do not shift pages: the export is the filter's rows as of its first page, newest first.
 */
export interface LogPageAnswer<R> {
  data: R[];
  total: number;
  nextCursor: string | null;
}

export interface CollectOptions<R> {
  fetchPage: (cursor: string | undefined, limit: number) => Promise<LogPageAnswer<R>>;
  /** stop after this many rows (the export says it was capped) */
  cap: number;
  pageSize?: number;
  signal?: AbortSignal;
  onProgress?: (p: { rows: number; total: number }) => void;
}

export interface Collected<R> {
  rows: R[];
  /** what the filter matched at the first page */
  total: number;
  /** true when the cap stopped it before the last page */
  capped: boolean;
}

export class ExportCancelled extends Error {
  constructor() {
    super('export cancelled');
    this.name = 'ExportCancelled';
  }
}

export async function collectLogs<R>(o: CollectOptions<R>): Promise<Collected<R>> {
  const pageSize = o.pageSize ?? 500;
  const rows: R[] = [];
  let cursor: string | undefined;
  let total = 0;
  for (let first = true; ; first = false) {
    if (o.signal?.aborted) throw new ExportCancelled();
    const page = await o.fetchPage(cursor, Math.min(pageSize, o.cap - rows.length));
    if (o.signal?.aborted) throw new ExportCancelled();
    if (first) total = page.total;
    rows.push(...page.data.slice(0, o.cap - rows.length));
    o.onProgress?.({ rows: rows.length, total: Math.min(total, o.cap) });
    if (!page.nextCursor || page.data.length === 0) return { rows, total, capped: false };
    if (rows.length >= o.cap) return { rows, total, capped: true };
    cursor = page.nextCursor;
  }
}
