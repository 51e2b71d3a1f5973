import type { Answer } from '../../api/admin-client';

/** A plugin as `GET /api/plugins` lists it: its scope, its settings (secrets masked) and when it last changed. */
export type PluginRow = Answer<'plugins.list'>['data'][number];

export type FieldKind = 'int' | 'number' | 'text' | 'secret' | 'boolean' | { readonly select: readonly string[] };
export interface FieldSpec {
  readonly key: string;
  readonly kind: FieldKind;
  /** an emptied box is sent as null (the plugin's "none"), not refused */
  readonly nullable?: boolean;
}

/**
 * Each plugin's settings as the console edits them, in the order shown. A setting the gateway answers that is not
 * listed here (a newer gateway's) is still shown and edited, by the type of its value.
 */
export const PLUGIN_FIELDS: Readonly<Record<string, readonly FieldSpec[]>> = {
  cache: [
    { key: 'ttlSeconds', kind: 'int' },
    { key: 'maxEntries', kind: 'int' },
    { key: 'maxEntryBytes', kind: 'int' },
    { key: 'hitCostRatio', kind: 'number' },
  ],
  'web-search': [
    { key: 'engine', kind: { select: ['searxng', 'bing', 'google', 'brave', 'arxiv'] } },
    { key: 'url', kind: 'text', nullable: true },
    { key: 'apiKey', kind: 'secret', nullable: true },
    { key: 'cx', kind: 'text', nullable: true },
    { key: 'maxResults', kind: 'int' },
    { key: 'rewriteModel', kind: 'text', nullable: true },
    { key: 'always', kind: 'boolean' },
    { key: 'pricePerSearch', kind: 'number', nullable: true },
  ],
  'stream-fake': [],
  'think-split': [{ key: 'tag', kind: 'text' }],
};

const NOT_SETTINGS = new Set(['name', 'enabled', 'models', 'groups', 'tokens', 'updatedAt']);

/** The fields of a plugin's form: the known ones in order, then any other setting the gateway answered. */
export function fieldsOf(row: PluginRow): FieldSpec[] {
  const known = PLUGIN_FIELDS[row.name] ?? [];
  const out = [...known];
  for (const [key, value] of Object.entries(row)) {
    if (NOT_SETTINGS.has(key) || known.some((f) => f.key === key)) continue;
    out.push({ key, kind: typeof value === 'boolean' ? 'boolean' : typeof value === 'number' ? 'number' : 'text', nullable: value === null });
  }
  return out;
}

export type FieldValue = string | number | boolean;

/** The form as typed: lists as tags (empty: any), settings as their boxes hold them. */
export interface PluginDraft {
  enabled: boolean;
  models: string[];
  groups: string[];
  tokens: string[];
  settings: Record<string, FieldValue>;
}

const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);

export function draftFromPlugin(row: PluginRow): PluginDraft {
  const settings: Record<string, FieldValue> = {};
  for (const f of fieldsOf(row)) {
    const v = (row as Record<string, unknown>)[f.key];
    settings[f.key] = typeof v === 'boolean' || typeof v === 'number' || typeof v === 'string' ? v : f.kind === 'boolean' ? false : '';
  }
  return { enabled: row.enabled, models: list(row.models), groups: list(row.groups), tokens: list(row.tokens), settings };
}

/** A token id box that is not a positive whole number: the form says so before anything is sent. */
export function badTokenIds(d: PluginDraft): string[] {
  return d.tokens.filter((t) => !/^[1-9]\d*$/.test(t.trim()));
}

function settingValue(f: FieldSpec, v: FieldValue): unknown {
  if (f.kind === 'boolean') return v === true;
  if (f.kind === 'int' || f.kind === 'number') {
    if (v === '' || v === null) return null;
    const n = typeof v === 'number' ? v : Number(v);
    return Number.isFinite(n) ? n : v;
  }
  const s = String(v).trim();
  return s === '' && f.nullable ? null : s;
}

const sameList = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** `PUT /api/plugins/:name`'s body: only what changed, so a save never rewrites what someone else changed meanwhile. */
export function pluginUpdateBody(row: PluginRow, before: PluginDraft, d: PluginDraft): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (d.enabled !== before.enabled) body.enabled = d.enabled;
  for (const k of ['models', 'groups'] as const) if (!sameList(before[k], d[k])) body[k] = d[k].length ? d[k].map((x) => x.trim()) : null;
  if (!sameList(before.tokens, d.tokens)) body.tokens = d.tokens.length ? d.tokens.map((t) => Number(t.trim())) : null;
  for (const f of fieldsOf(row)) {
    const was = settingValue(f, before.settings[f.key]);
    const now = settingValue(f, d.settings[f.key]);
    if (!Object.is(was, now)) body[f.key] = now;
  }
  return body;
}
