/** A request log record as `GET /api/logs` answers it (SPEC §5); the route table types it loosely. */
/** A request's logged bodies (its token or group opts in); redacted and capped by the gateway. */
export interface LogBodies {
  request: string;
  response: string | null;
  truncated: boolean;
}

/** A logged body for reading: JSON pretty-printed, anything else (an SSE stream's text, a cut body) as it is. */
export function prettyBody(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

export interface LogRecord {
  /** only in `GET /api/logs/:requestId`: null when the request logged none */
  bodies?: LogBodies | null;
  requestId: string;
  createdAt: string;
  tokenId: number | null;
  userId: number | null;
  group?: string | null;
  model: string;
  upstreamModel: string | null;
  channelId: number | null;
  protocol: string;
  upstreamProtocol: string | null;
  stream: boolean;
  status: number;
  promptTokens: number;
  completionTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  reasoningTokens: number;
  cost: number;
  latencyMs: number | null;
  ttftMs: number | null;
  attempts: number;
  error: string | null;
  /** the endpoint family (`chat.completions`, `images.generations`…); null in records of older gateways */
  endpoint?: string | null;
  /** what the request was billed in besides tokens */
  units?: LogUnits | null;
  /** what each relay plugin that ran did (`{ cache: 'hit' }`); null when none */
  plugins?: Record<string, string> | null;
}

/** A record's plugins as one line, in the record's order: `cache: hit, stream-fake: applied`; empty when none ran. */
export function pluginsLabel(plugins: Record<string, string> | null | undefined): string {
  return plugins
    ? Object.entries(plugins)
        .map(([name, did]) => `${name}: ${did}`)
        .join(', ')
    : '';
}

/** SPEC §8 `units` of a log record. */
export interface LogUnits {
  images?: number;
  audioSeconds?: number;
  characters?: number;
  searchUnits?: number;
}

export const UNIT_KEYS = ['images', 'audioSeconds', 'characters', 'searchUnits'] as const;
export type UnitKey = (typeof UNIT_KEYS)[number];

/** The units a record was billed, in a fixed order, leaving out the absent and zero ones. */
export function unitParts(units: LogUnits | null | undefined): [UnitKey, number][] {
  if (!units) return [];
  return UNIT_KEYS.flatMap((k) => (typeof units[k] === 'number' && units[k] > 0 ? [[k, units[k]] as [UnitKey, number]] : []));
}

/** Badge colour of an HTTP status: success green, client refusals orange, upstream and gateway failures red. */
export function statusColor(status: number): string {
  if (status >= 200 && status < 300) return 'green';
  if (status === 429) return 'yellow';
  if (status >= 400 && status < 500) return 'orange';
  if (status >= 500) return 'red';
  return 'gray';
}

/** "gpt-4o → gpt-4o-2024-08-06" only when the channel mapped the model to another name. */
export function modelLabel(r: Pick<LogRecord, 'model' | 'upstreamModel'>): string {
  return r.upstreamModel && r.upstreamModel !== r.model ? `${r.model} → ${r.upstreamModel}` : r.model;
}

export function protocolLabel(r: Pick<LogRecord, 'protocol' | 'upstreamProtocol'>): string {
  return r.upstreamProtocol && r.upstreamProtocol !== r.protocol ? `${r.protocol} → ${r.upstreamProtocol}` : r.protocol;
}

export const totalTokens = (r: Pick<LogRecord, 'promptTokens' | 'completionTokens'>): number => r.promptTokens + r.completionTokens;

/** An id shown by the name a list gave it, else `#id`; `—` when the record has none. */
export function nameOf(id: number | null | undefined, names: ReadonlyMap<number, string> | undefined): string {
  if (id === null || id === undefined) return '—';
  return names?.get(id) ?? `#${id}`;
}

/** Date and time to the second in the reader's locale (the record's instant in the browser's time zone). */
export const fmtTime = (iso: string, locale: string): string =>
  new Intl.DateTimeFormat(locale, { dateStyle: 'short', timeStyle: 'medium' }).format(new Date(iso));

/** The list's compact form: month, day and a 24-hour time to the second ("12/06 14:05:07"); the year is in the detail. */
export const fmtShortTime = (iso: string, locale: string): string =>
  new Intl.DateTimeFormat(locale, { month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' })
    .format(new Date(iso))
    .replace(',', '');
