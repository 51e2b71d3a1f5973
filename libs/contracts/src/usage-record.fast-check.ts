import { MAX_USAGE_TOKENS, WIRE_PROTOCOLS } from '@switchboard/protocols';
import { PLUGIN_NAMES } from './admin/plugin-admin.schemas';
import { MAX_KEY_ATTEMPTS, MAX_PLUGIN_DETAIL, type UsageRecord } from './usage.contracts';

/**
 * The usage record schema's common case checked by hand: every record the relay publishes passes through here, and
 * zod's parse of it was ~7 % of the relay's CPU (bench/profile.mjs). It accepts only records the schema accepts
 * unchanged (all fields present, no unknown keys, `createdAt` in toISOString's shape); anything else, valid or not,
 * goes to zod. usage-record.fast-check.spec.ts holds the two together.
 */
const PROTOCOLS: ReadonlySet<unknown> = new Set(WIRE_PROTOCOLS);
const ISO_UTC = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;
const UNIT_KEYS: ReadonlySet<string> = new Set(['images', 'audioSeconds', 'characters', 'searchUnits']);
const PLUGINS: ReadonlySet<string> = new Set(PLUGIN_NAMES);
const FIELDS = 28;

const int4 = (v: unknown) => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= MAX_USAGE_TOKENS;
const int4OrNull = (v: unknown) => v === null || int4(v);
const strOrNull = (v: unknown) => v === null || typeof v === 'string';
const safeInt = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;

function unitsOk(u: unknown): boolean {
  if (u === null) return true;
  if (typeof u !== 'object' || Array.isArray(u)) return false;
  for (const k in u) {
    const v = (u as Record<string, unknown>)[k];
    if (!UNIT_KEYS.has(k) || typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > Number.MAX_SAFE_INTEGER) return false;
  }
  return true;
}

function keyAttemptsOk(a: unknown): boolean {
  if (!Array.isArray(a) || a.length > MAX_KEY_ATTEMPTS) return false;
  for (const k of a as unknown[]) {
    if (k === null || typeof k !== 'object' || Array.isArray(k)) return false;
    const o = k as Record<string, unknown>;
    let n = 0;
    for (const key in o) if (Object.prototype.hasOwnProperty.call(o, key)) n++;
    if (n !== 2 || !int4(o.keyId) || typeof o.ok !== 'boolean') return false;
  }
  return true;
}

function pluginsOk(p: unknown): boolean {
  if (p === null) return true;
  if (typeof p !== 'object' || Array.isArray(p) || Object.getPrototypeOf(p) !== Object.prototype) return false;
  for (const k in p) {
    const v = (p as Record<string, unknown>)[k];
    if (!PLUGINS.has(k) || typeof v !== 'string' || v.length < 1 || v.length > MAX_PLUGIN_DETAIL) return false;
  }
  return true;
}

function bodiesOk(b: unknown): boolean {
  if (b === null) return true;
  if (typeof b !== 'object' || Array.isArray(b) || Object.getPrototypeOf(b) !== Object.prototype) return false;
  const o = b as Record<string, unknown>;
  let n = 0;
  for (const k in o) if (Object.prototype.hasOwnProperty.call(o, k)) n++;
  return n === 3 && typeof o.request === 'string' && strOrNull(o.response) && typeof o.truncated === 'boolean';
}

export function isPlainUsageRecord(r: unknown): r is UsageRecord {
  if (r === null || typeof r !== 'object' || Array.isArray(r) || Object.getPrototypeOf(r) !== Object.prototype) return false;
  const o = r as Record<string, unknown>;
  let n = 0;
  for (const k in o) if (Object.prototype.hasOwnProperty.call(o, k)) n++;
  return (
    n === FIELDS &&
    typeof o.requestId === 'string' &&
    o.requestId.length > 0 &&
    typeof o.createdAt === 'string' &&
    ISO_UTC.test(o.createdAt) &&
    int4OrNull(o.tokenId) &&
    int4OrNull(o.userId) &&
    strOrNull(o.group) &&
    typeof o.model === 'string' &&
    strOrNull(o.upstreamModel) &&
    int4OrNull(o.channelId) &&
    PROTOCOLS.has(o.protocol) &&
    (o.upstreamProtocol === null || PROTOCOLS.has(o.upstreamProtocol)) &&
    typeof o.stream === 'boolean' &&
    Number.isInteger(o.status) &&
    (o.status as number) >= 0 &&
    (o.status as number) <= 999 &&
    int4(o.promptTokens) &&
    int4(o.completionTokens) &&
    int4(o.cacheReadTokens) &&
    int4(o.cacheWriteTokens) &&
    int4(o.reasoningTokens) &&
    safeInt(o.costMicros) &&
    int4(o.latencyMs) &&
    int4OrNull(o.ttftMs) &&
    int4(o.attempts) &&
    strOrNull(o.error) &&
    safeInt(o.reservedMicros) &&
    (o.endpoint === null || (typeof o.endpoint === 'string' && o.endpoint.length <= 64)) &&
    unitsOk(o.units) &&
    keyAttemptsOk(o.keyAttempts) &&
    pluginsOk(o.plugins) &&
    bodiesOk(o.bodies)
  );
}
