/** JSON Schema dialect conversions (§9.5, §10.14). */
import { asArray, asObject, asString, isObject, type JsonObject } from './json.util';

const GEMINI_KEYS = new Set([
  'type',
  'format',
  'title',
  'description',
  'nullable',
  'enum',
  'maxItems',
  'minItems',
  'properties',
  'required',
  'minProperties',
  'maxProperties',
  'minLength',
  'maxLength',
  'pattern',
  'example',
  'anyOf',
  'propertyOrdering',
  'items',
  'minimum',
  'maximum',
]);

const GEMINI_STRING_FORMATS = new Set(['enum', 'date-time']);
const GEMINI_NUMBER_FORMATS = new Set(['int32', 'int64', 'float', 'double']);
const MAX_DEPTH = 12;

function resolveRef(ref: string, root: JsonObject): JsonObject | undefined {
  const m = /^#\/(\$defs|definitions)\/(.+)$/.exec(ref);
  if (!m) return undefined;
  const defs = asObject(root[m[1]]);
  return asObject(defs?.[m[2].replace(/~1/g, '/').replace(/~0/g, '~')]);
}

/**
 * JSON Schema → Gemini's OpenAPI 3.0 subset: `$ref` inlined, unsupported keywords removed,
 * `type: [x, "null"]` → `type: x, nullable: true`, `oneOf` → `anyOf`, `const` → `enum`,
 * empty `properties` dropped.
 */
export function toGeminiSchema(schema: JsonObject, root: JsonObject = schema, depth = 0): JsonObject {
  if (depth > MAX_DEPTH) return { type: 'object' };
  let src = schema;
  const ref = asString(schema['$ref']);
  if (ref) {
    const target = resolveRef(ref, root);
    src = target ? { ...target, ...withoutKey(schema, '$ref') } : withoutKey(schema, '$ref');
  }
  const allOf = asArray(src['allOf']);
  if (allOf) src = mergeAllOf(src, allOf, root);

  const out: JsonObject = {};
  let type = src['type'];
  if (Array.isArray(type)) {
    const types = type.filter((t): t is string => typeof t === 'string');
    const nonNull = types.filter((t) => t !== 'null');
    if (types.length !== nonNull.length) out['nullable'] = true;
    if (nonNull.length === 1) type = nonNull[0];
    else if (nonNull.length > 1) {
      out['anyOf'] = nonNull.map((t) => ({ type: t }));
      type = undefined;
    } else type = undefined;
  }
  if (typeof type === 'string') out['type'] = type;

  const anyOf = asArray(src['anyOf']) ?? asArray(src['oneOf']);
  if (anyOf) {
    const variants = anyOf.filter(isObject);
    const nonNull = variants.filter((v) => v['type'] !== 'null');
    if (nonNull.length !== variants.length) out['nullable'] = true;
    if (nonNull.length === 1 && out['type'] === undefined) {
      Object.assign(out, toGeminiSchema(nonNull[0], root, depth + 1));
    } else if (nonNull.length > 0) {
      out['anyOf'] = nonNull.map((v) => toGeminiSchema(v, root, depth + 1));
    }
  }

  for (const [k, v] of Object.entries(src)) {
    if (k === 'type' || k === 'anyOf' || k === 'oneOf' || !GEMINI_KEYS.has(k)) continue;
    if (k === 'properties') {
      const props = asObject(v);
      if (props && Object.keys(props).length > 0) {
        const cleaned: JsonObject = {};
        for (const [pk, pv] of Object.entries(props)) {
          if (isObject(pv)) cleaned[pk] = toGeminiSchema(pv, root, depth + 1);
        }
        out['properties'] = cleaned;
      }
    } else if (k === 'items') {
      if (isObject(v)) out['items'] = toGeminiSchema(v, root, depth + 1);
    } else if (k === 'format') {
      const f = asString(v);
      const t = out['type'];
      if (f && ((t === 'string' && GEMINI_STRING_FORMATS.has(f)) || ((t === 'number' || t === 'integer') && GEMINI_NUMBER_FORMATS.has(f)))) {
        out['format'] = f;
      }
    } else if (k === 'enum') {
      const values = asArray(v);
      if (values && values.every((x) => typeof x === 'string')) out['enum'] = values;
    } else if (k === 'required') {
      const req = asArray(v);
      if (req && req.length > 0) out['required'] = req;
    } else {
      out[k] = v;
    }
  }
  if (src['const'] !== undefined && typeof src['const'] === 'string') out['enum'] = [src['const']];
  if (out['required'] && isObject(out['properties'])) {
    const props = out['properties'];
    out['required'] = (out['required'] as unknown[]).filter((r) => typeof r === 'string' && r in props);
    if ((out['required'] as unknown[]).length === 0) delete out['required'];
  } else if (out['required'] && !out['properties']) {
    delete out['required'];
  }
  return out;
}

function withoutKey(o: JsonObject, key: string): JsonObject {
  const { [key]: _drop, ...rest } = o;
  return rest;
}

function mergeAllOf(src: JsonObject, allOf: unknown[], root: JsonObject): JsonObject {
  const merged: JsonObject = withoutKey(src, 'allOf');
  const props: JsonObject = { ...(asObject(merged['properties']) ?? {}) };
  const required: unknown[] = [...(asArray(merged['required']) ?? [])];
  for (const part of allOf) {
    let p = asObject(part);
    if (!p) continue;
    const ref = asString(p['$ref']);
    if (ref) p = resolveRef(ref, root) ?? p;
    Object.assign(props, asObject(p['properties']) ?? {});
    required.push(...(asArray(p['required']) ?? []));
    if (merged['type'] === undefined && p['type'] !== undefined) merged['type'] = p['type'];
    if (merged['description'] === undefined && p['description'] !== undefined) merged['description'] = p['description'];
  }
  if (Object.keys(props).length > 0) merged['properties'] = props;
  if (required.length > 0) merged['required'] = required;
  return merged;
}

/** Gemini Schema (possibly `OBJECT`/`STRING` enum casing, `nullable`) → JSON Schema. */
export function fromGeminiSchema(schema: JsonObject, depth = 0): JsonObject {
  if (depth > MAX_DEPTH) return {};
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === 'nullable' || k === 'propertyOrdering') continue;
    if (k === 'type') {
      const t = asString(v);
      if (t && t !== 'TYPE_UNSPECIFIED') out['type'] = t.toLowerCase();
    } else if (k === 'properties') {
      const props = asObject(v);
      if (props) {
        const conv: JsonObject = {};
        for (const [pk, pv] of Object.entries(props)) if (isObject(pv)) conv[pk] = fromGeminiSchema(pv, depth + 1);
        out['properties'] = conv;
      }
    } else if (k === 'items') {
      if (isObject(v)) out['items'] = fromGeminiSchema(v, depth + 1);
    } else if (k === 'anyOf') {
      const arr = asArray(v);
      if (arr) out['anyOf'] = arr.filter(isObject).map((x) => fromGeminiSchema(x, depth + 1));
    } else {
      out[k] = v;
    }
  }
  if (schema['nullable'] === true && typeof out['type'] === 'string') out['type'] = [out['type'], 'null'];
  return out;
}

const SUBSCHEMA_MAPS = ['properties', 'patternProperties', '$defs', 'definitions'];
const SUBSCHEMA_LISTS = ['anyOf', 'oneOf', 'allOf', 'prefixItems'];
const SUBSCHEMA_ONE = ['items', 'additionalProperties', 'not', 'if', 'then', 'else', 'contains'];

function lowerType(t: unknown): unknown {
  if (typeof t === 'string') return t.toLowerCase();
  if (Array.isArray(t)) return (t as unknown[]).map((x) => (typeof x === 'string' ? x.toLowerCase() : x));
  return t;
}

/**
 * Gemini's `responseJsonSchema`/`parametersJsonSchema` are JSON Schema, but Gemini clients (Gemini CLI) write their
 * types in the upper case of Gemini's Schema enum (`OBJECT`, `STRING`); OpenAI and Anthropic reject those. Lower-cases
 * every `type` in every subschema and drops `TYPE_UNSPECIFIED`; property names, enums and defaults are left alone.
 */
export function normalizeJsonSchemaTypes(schema: JsonObject, depth = 0): JsonObject {
  if (depth > MAX_DEPTH) return schema;
  const out: JsonObject = { ...schema };
  if (out['type'] !== undefined) {
    const t = lowerType(out['type']);
    if (t === 'type_unspecified') delete out['type'];
    else out['type'] = t;
  }
  for (const k of SUBSCHEMA_MAPS) {
    const map = asObject(schema[k]);
    if (!map) continue;
    const conv: JsonObject = {};
    for (const [name, sub] of Object.entries(map)) conv[name] = isObject(sub) ? normalizeJsonSchemaTypes(sub, depth + 1) : sub;
    out[k] = conv;
  }
  for (const k of SUBSCHEMA_LISTS) {
    const list = asArray(schema[k]);
    if (list) out[k] = list.map((sub) => (isObject(sub) ? normalizeJsonSchemaTypes(sub, depth + 1) : sub));
  }
  for (const k of SUBSCHEMA_ONE) {
    const sub = schema[k];
    if (isObject(sub)) out[k] = normalizeJsonSchemaTypes(sub, depth + 1);
    else if (k === 'items' && Array.isArray(sub)) out[k] = (sub as unknown[]).map((x) => (isObject(x) ? normalizeJsonSchemaTypes(x, depth + 1) : x));
  }
  return out;
}

/**
 * Anthropic `input_schema` must be a top-level object without root `anyOf`/`oneOf`/`allOf`
 * (observed 400). Missing → `{type:"object",properties:{}}`.
 */
export function toAnthropicInputSchema(schema: JsonObject | undefined): JsonObject {
  if (!schema) return { type: 'object', properties: {} };
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === 'anyOf' || k === 'oneOf' || k === 'allOf' || k === '$schema') continue;
    out[k] = v;
  }
  out['type'] = 'object';
  if (!isObject(out['properties'])) out['properties'] = {};
  return out;
}
