/**
 * CSV (RFC 4180) of request logs, built without the DOM so it is unit-tested. Spreadsheets run a cell that starts
 * with = + - @ (or a tab / carriage return) as a formula: such text cells get a leading apostrophe (OWASP's advice),
 * so a model name or an upstream error message cannot become a formula in the operator's spreadsheet.
 */
export type CsvValue = string | number | boolean | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** A number in plain decimal notation (1.5e-7 → 0.00000015), shifting the digits of its shortest form: exact, no float noise. */
export function plainNumber(n: number): string {
  if (!Number.isFinite(n)) return '';
  const s = String(n);
  const m = /^(-?)(\d+)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (!m) return s;
  const [, sign, int, frac = '', exp] = m;
  const digits = int + frac;
  const point = int.length + Number(exp);
  const body =
    point <= 0
      ? `0.${'0'.repeat(-point)}${digits}`
      : point >= digits.length
        ? digits + '0'.repeat(point - digits.length)
        : `${digits.slice(0, point)}.${digits.slice(point)}`;
  return sign + body;
}

export function csvCell(v: CsvValue): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return plainNumber(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  let s = v;
  if (FORMULA_START.test(s)) s = `'${s}`;
  return NEEDS_QUOTES.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Header line and rows, CRLF-separated (what Excel and RFC 4180 expect), ending with a CRLF. */
export function toCsv(header: readonly string[], rows: readonly (readonly CsvValue[])[]): string {
  return [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

/**
 * Every field of a log record (SPEC §5, §8), in the API's names, so a column is what `GET /api/logs` calls it; the
 * `units` object is one numeric column per unit (`units.images`…), which a spreadsheet can sum; `plugins` one column
 * per relay plugin (`plugins.cache`: hit, miss, bypass…), which it can filter.
 */
export const LOG_CSV_FIELDS = [
  'requestId',
  'createdAt',
  'tokenId',
  'userId',
  'group',
  'model',
  'upstreamModel',
  'channelId',
  'protocol',
  'upstreamProtocol',
  'stream',
  'status',
  'promptTokens',
  'completionTokens',
  'cacheReadTokens',
  'cacheWriteTokens',
  'reasoningTokens',
  'cost',
  'latencyMs',
  'ttftMs',
  'attempts',
  'error',
  'endpoint',
  'units.images',
  'units.audioSeconds',
  'units.characters',
  'units.searchUnits',
  'plugins.cache',
  'plugins.web-search',
  'plugins.stream-fake',
  'plugins.think-split',
] as const;

/** A field of a record by its column name: `units.images` reads `units?.images`, `plugins.web-search` `plugins?.['web-search']`. */
function fieldOf(r: Record<string, unknown>, name: string): unknown {
  const dot = name.indexOf('.');
  if (dot < 0) return r[name];
  const parent = r[name.slice(0, dot)];
  return parent && typeof parent === 'object' ? (parent as Record<string, unknown>)[name.slice(dot + 1)] : undefined;
}

/** A byte-order mark first: Excel reads a UTF-8 file without one in the local code page (Chinese error text garbled). */
export const CSV_BOM = '\uFEFF';

export function logsToCsv(records: readonly Record<string, unknown>[]): string {
  const rows = records.map((r) =>
    LOG_CSV_FIELDS.map((f) => {
      const v = fieldOf(r, f);
      return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined ? v : JSON.stringify(v);
    }),
  );
  return CSV_BOM + toCsv(LOG_CSV_FIELDS, rows);
}

/** `switchboard-logs-20261206-1142.csv`: sorts by time in a downloads folder. */
export function csvFileName(now: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `switchboard-logs-${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}-${p(now.getHours())}${p(now.getMinutes())}.csv`;
}
