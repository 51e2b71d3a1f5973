/**
 * The request-log filters of SPEC §5 and their place in the URL: `/logs?model=x&status=500` is the filter, so a
 * bookmark or a shared link opens the same rows, and back/forward walks through the filters a person tried.
 */
export const LOG_FILTER_KEYS = ['tokenId', 'userId', 'model', 'endpoint', 'channelId', 'status', 'from', 'to'] as const;
export type LogFilterKey = (typeof LOG_FILTER_KEYS)[number];

export interface LogFilter {
  tokenId?: number;
  userId?: number;
  channelId?: number;
  status?: number;
  model?: string;
  /** the endpoint family (`images.generations`…), exactly */
  endpoint?: string;
  /** ISO-8601 instants, as the API takes them */
  from?: string;
  to?: string;
}

const INT_KEYS = ['tokenId', 'userId', 'channelId', 'status'] as const;

const positiveInt = (s: string | null): number | undefined => {
  if (s === null || !/^\d{1,10}$/.test(s.trim())) return undefined;
  const n = Number(s.trim());
  return Number.isSafeInteger(n) ? n : undefined;
};

const instant = (s: string | null): string | undefined => {
  if (!s) return undefined;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
};

/** The filter a URL names. A value the API would refuse (`status=abc`) is left out rather than failing the page. */
export function readLogFilter(search: URLSearchParams): LogFilter {
  const f: LogFilter = {};
  for (const k of INT_KEYS) {
    const n = positiveInt(search.get(k));
    if (n !== undefined) f[k] = n;
  }
  const model = search.get('model')?.trim();
  if (model) f.model = model;
  const endpoint = search.get('endpoint')?.trim();
  if (endpoint) f.endpoint = endpoint;
  const from = instant(search.get('from'));
  if (from) f.from = from;
  const to = instant(search.get('to'));
  if (to) f.to = to;
  return f;
}

/** The query string of a filter, in a fixed key order (one filter, one URL), leaving out empty values. */
export function writeLogFilter(f: LogFilter): URLSearchParams {
  const out = new URLSearchParams();
  for (const k of LOG_FILTER_KEYS) {
    const v = f[k];
    if (v !== undefined && v !== '') out.set(k, String(v));
  }
  return out;
}

/** The filter with one field set (or cleared with `undefined` / ''). */
export function withFilter<K extends LogFilterKey>(f: LogFilter, key: K, value: LogFilter[K] | '' | null): LogFilter {
  const next = { ...f };
  if (value === undefined || value === null || value === '') delete next[key];
  else next[key] = value;
  return next;
}

export const activeFilterCount = (f: LogFilter): number => LOG_FILTER_KEYS.filter((k) => f[k] !== undefined).length;

/** A stable cache key for a filter (the query string) */
export const filterKey = (f: LogFilter): string => writeLogFilter(f).toString();

const pad = (n: number) => String(n).padStart(2, '0');

/** ISO instant → the value of an `<input type="datetime-local">` (the browser's time zone, minutes). */
export function isoToLocalInput(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/**
 * The value of an `<input type="datetime-local">` (local time) → ISO instant; '' or garbage → undefined. The input
 * shows minutes, so an upper bound takes the minute's last millisecond: "to 12:00" includes 12:00:30.
 */
export function localInputToIso(value: string, endOfMinute = false): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m;
  const date = new Date(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? 0));
  if (endOfMinute && s === undefined) date.setSeconds(59, 999);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}
