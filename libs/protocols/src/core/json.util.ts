/** Narrowing helpers for untrusted JSON (`unknown` in, precise types out). */
export type JsonObject = Record<string, unknown>;

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function asObject(v: unknown): JsonObject | undefined {
  return isObject(v) ? v : undefined;
}

export function asArray(v: unknown): unknown[] | undefined {
  return Array.isArray(v) ? v : undefined;
}

export function asString(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export function asNumber(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

export function asBoolean(v: unknown): boolean | undefined {
  return typeof v === 'boolean' ? v : undefined;
}

/** Array of objects only (non-objects skipped). */
export function objectsOf(v: unknown): JsonObject[] {
  const a = asArray(v);
  return a ? a.filter(isObject) : [];
}

export function stringsOf(v: unknown): string[] {
  const a = asArray(v);
  return a ? a.filter((x): x is string => typeof x === 'string') : [];
}

/** Reads a Gemini field in either lowerCamelCase or snake_case (the API accepts both). */
export function field(obj: JsonObject | undefined, camel: string): unknown {
  if (!obj) return undefined;
  if (obj[camel] !== undefined) return obj[camel];
  const snake = camel.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase());
  return obj[snake];
}

export function deepClone<T>(v: T): T {
  return structuredClone(v);
}

/** Parses JSON, returning undefined instead of throwing. */
export function tryParseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Removes keys whose value is undefined (keeps wire output free of `"x": undefined`). */
export function compact<T extends JsonObject>(obj: T): T {
  for (const k of Object.keys(obj)) if (obj[k] === undefined) delete obj[k];
  return obj;
}
