import type { CallArgs } from '../../api/admin-client';
import type { ChannelRow } from '../../api/console-views';
import type { MessageKey } from '../../i18n/messages';
import { configForType } from './channel-types';

/** The channel view fields the edit drawer reads beyond the list's (router's channelView; secrets come masked). */
export interface ChannelDetail extends ChannelRow {
  keys: string[];
  keyMode: string;
  modelMapping: Record<string, string>;
  groups: string[];
  autoBan: boolean;
  headers: Record<string, string>;
  paramOverride: Record<string, unknown>;
  statusCodeMapping: Record<string, number>;
  testModel: string | null;
  tag: string | null;
  timeouts: { connectMs?: number; firstByteMs?: number; idleMs?: number } | null;
  /** declared endpoint families beyond chat; null: the type's defaults */
  endpoints?: string[] | null;
  /** the type's settings (`region`, `project`, `apiVersion`…) */
  config?: Record<string, unknown>;
}

export interface KvRow {
  key: string;
  value: string;
}

export const TIMEOUT_FIELDS = ['connectMs', 'firstByteMs', 'idleMs'] as const;
export type TimeoutField = (typeof TIMEOUT_FIELDS)[number];

/** Every SPEC §5 field of a channel except its keys (the key pool has its own panel), as the inputs hold them. */
export interface ChannelForm {
  name: string;
  type: string;
  baseUrl: string;
  keyMode: 'random' | 'round_robin';
  models: string[];
  modelMapping: KvRow[];
  headers: KvRow[];
  groups: string[];
  priority: number;
  weight: number;
  enabled: boolean;
  autoBan: boolean;
  /** JSON text */
  paramOverride: string;
  /** JSON text */
  statusCodeMapping: string;
  testModel: string;
  tag: string;
  /** '' = not set */
  timeouts: Record<TimeoutField, number | ''>;
  /** empty = the type's defaults */
  endpoints: string[];
  /** the type's settings as typed (CHANNEL_CONFIG_FIELDS) */
  config: Record<string, string>;
}

export type UpdateBody = NonNullable<CallArgs<'channels.update'>['body']>;
export type FieldError = { key: MessageKey; vars?: Record<string, string | number> };
export type FormErrors = Partial<Record<keyof ChannelForm, FieldError>>;

const rows = (m: Record<string, unknown> | null | undefined): KvRow[] => Object.entries(m ?? {}).map(([key, value]) => ({ key, value: String(value) }));
const pretty = (v: unknown) => (v && typeof v === 'object' && Object.keys(v).length ? JSON.stringify(v, null, 2) : '');

export function formFromChannel(c: ChannelDetail): ChannelForm {
  return {
    name: c.name,
    type: c.type,
    baseUrl: c.baseUrl,
    keyMode: c.keyMode === 'round_robin' ? 'round_robin' : 'random',
    models: [...c.models],
    modelMapping: rows(c.modelMapping),
    headers: rows(c.headers),
    groups: [...(c.groups ?? ['default'])],
    priority: c.priority,
    weight: c.weight,
    enabled: c.enabled,
    autoBan: c.autoBan,
    paramOverride: pretty(c.paramOverride),
    statusCodeMapping: pretty(c.statusCodeMapping),
    testModel: c.testModel ?? '',
    tag: c.tag ?? '',
    timeouts: {
      connectMs: c.timeouts?.connectMs ?? '',
      firstByteMs: c.timeouts?.firstByteMs ?? '',
      idleMs: c.timeouts?.idleMs ?? '',
    },
    endpoints: [...(c.endpoints ?? [])],
    config: Object.fromEntries(Object.entries(c.config ?? {}).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)])),
  };
}

function kvToMap(list: KvRow[]): { map: Record<string, string> } | { error: FieldError } {
  const map: Record<string, string> = {};
  for (const { key, value } of list) {
    const k = key.trim();
    if (!k && !value.trim()) continue; // an empty row someone added and left
    if (!k) return { error: { key: 'channels.form.kvEmptyName' } };
    if (k in map) return { error: { key: 'channels.form.kvDuplicate', vars: { name: k } } };
    map[k] = value;
  }
  return { map };
}

function jsonObject(text: string): { value: Record<string, unknown> } | { error: FieldError } {
  if (!text.trim()) return { value: {} };
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    return { error: { key: 'channels.form.jsonInvalid', vars: { error: (e as Error).message } } };
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) return { error: { key: 'channels.form.jsonObject' } };
  return { value: v as Record<string, unknown> };
}

/**
 * The update body for the form, or the errors of the fields that would not pass (the API checks again and names the
 * field; these catch what can be caught before sending: JSON syntax, mapping shapes, duplicate names).
 */
export function formToBody(f: ChannelForm): { body: UpdateBody; errors?: undefined } | { errors: FormErrors } {
  const errors: FormErrors = {};
  if (!f.name.trim()) errors.name = { key: 'channels.form.required' };
  if (!f.models.length) errors.models = { key: 'channels.form.modelsRequired' };
  if (!f.groups.length) errors.groups = { key: 'channels.form.groupsRequired' };
  if (!/^https?:\/\/\S+$/.test(f.baseUrl.trim())) errors.baseUrl = { key: 'channels.form.url' };
  const mapping = kvToMap(f.modelMapping);
  if ('error' in mapping) errors.modelMapping = mapping.error;
  const headers = kvToMap(f.headers);
  if ('error' in headers) errors.headers = headers.error;
  const override = jsonObject(f.paramOverride);
  if ('error' in override) errors.paramOverride = override.error;
  const status = jsonObject(f.statusCodeMapping);
  if ('error' in status) errors.statusCodeMapping = status.error;
  else {
    const bad = Object.entries(status.value).find(([k, v]) => !/^\d{3}$/.test(k) || !Number.isInteger(v) || (v as number) < 100 || (v as number) > 599);
    if (bad) errors.statusCodeMapping = { key: 'channels.form.statusMapping', vars: { entry: bad[0] } };
  }
  if (Object.keys(errors).length || 'error' in mapping || 'error' in headers || 'error' in override || 'error' in status) return { errors };
  const timeouts = Object.fromEntries(TIMEOUT_FIELDS.flatMap((k) => (f.timeouts[k] === '' ? [] : [[k, f.timeouts[k]]])));
  return {
    body: {
      name: f.name.trim(),
      type: f.type,
      baseUrl: f.baseUrl.trim(),
      keyMode: f.keyMode,
      models: f.models,
      modelMapping: mapping.map,
      headers: headers.map,
      groups: f.groups,
      priority: f.priority,
      weight: f.weight,
      enabled: f.enabled,
      autoBan: f.autoBan,
      paramOverride: override.value,
      statusCodeMapping: status.value as Record<string, number>,
      testModel: f.testModel.trim() || null,
      tag: f.tag.trim() || null,
      timeouts: Object.keys(timeouts).length ? timeouts : null,
      endpoints: f.endpoints.length ? f.endpoints : null,
      config: configForType(f.type, f.config),
    },
  };
}

/** Only the fields that differ from what was loaded: the audit then shows what the admin changed, nothing else. */
export function changedFields(before: UpdateBody, after: UpdateBody): UpdateBody {
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  return Object.fromEntries(Object.entries(after).filter(([k, v]) => !same(before[k as keyof UpdateBody], v)));
}
