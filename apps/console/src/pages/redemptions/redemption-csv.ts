/** CSV files of redemption codes (RFC 4180: CRLF lines, fields quoted when they hold a comma, quote or line break). */

export interface GeneratedCode {
  id: number;
  code: string;
  value: number;
  expiresAt: string | null;
}

/** A listed code: the list never holds the code itself (only its digest is stored). */
export interface RedemptionRow {
  id: number;
  value: number;
  status: string;
  expiresAt: string | null;
  usedAt: string | null;
  usedByUserId: number | null;
  createdAt: string;
}

type Cell = string | number | null;

const cell = (v: Cell): string => {
  const s = v === null ? '' : String(v);
  // A leading =, +, - or @ would be run as a formula by spreadsheets; none of our values start so, but names might.
  const safe = /^[=+\-@]/.test(s) && typeof v === 'string' ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

export function toCsv(header: string[], rows: Cell[][]): string {
  return [header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}

/** Exactly the codes just generated, the only time they can be written down. */
export function generatedCodesCsv(codes: GeneratedCode[]): string {
  return toCsv(
    ['id', 'code', 'value_usd', 'expires_at'],
    codes.map((c) => [c.id, c.code, c.value, c.expiresAt]),
  );
}

/** The list as exported: status and who redeemed, by user id and name where known. */
export function redemptionListCsv(rows: RedemptionRow[], userName: (id: number) => string | undefined): string {
  return toCsv(
    ['id', 'value_usd', 'status', 'expires_at', 'used_at', 'used_by_user_id', 'used_by_user', 'created_at'],
    rows.map((r) => [
      r.id,
      r.value,
      r.status,
      r.expiresAt,
      r.usedAt,
      r.usedByUserId,
      r.usedByUserId === null ? null : (userName(r.usedByUserId) ?? null),
      r.createdAt,
    ]),
  );
}

/** `redemption-codes-2026-12-06T11-42-00Z.csv`: sortable, and valid on every file system. */
export function csvFileName(kind: 'codes' | 'list', now: Date): string {
  return `redemption-${kind}-${now.toISOString().slice(0, 19).replace(/:/g, '-')}Z.csv`;
}

/**
 * Reads every page of a list whose pages are `limit` long until `total` rows are in, reporting progress; stops at
 * an empty page so a list that shrinks while it is read cannot loop.
 */
export async function readAllPages<T>(
  fetchPage: (offset: number, limit: number) => Promise<{ data: T[]; total: number }>,
  onProgress: (loaded: number, total: number) => void = () => undefined,
  limit = 500,
): Promise<T[]> {
  const all: T[] = [];
  for (;;) {
    const page = await fetchPage(all.length, limit);
    all.push(...page.data);
    onProgress(all.length, page.total);
    if (page.data.length === 0 || all.length >= page.total) return all;
  }
}
