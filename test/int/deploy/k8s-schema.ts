// Offline Kubernetes schema checks with the `kubernetes-models` package (devDependency), which bundles validators
// compiled from the Kubernetes OpenAPI schemas:
//  - validate(): types, enums, required fields, formats (what the API server's schema validation rejects);
//  - unknownFields(): like `kubeconform -strict`, every key must be a field of its type (the OpenAPI schemas allow
//    unknown keys, which the API server then silently drops: a typo such as `readinesProbe` would go unnoticed).
//    The field lists come from the package's type declarations (.d.ts), one interface per Kubernetes type.
import fs from 'node:fs';
import path from 'node:path';

interface ModelClass {
  new (data: unknown): { validate(): void };
}

/** apiVersion → module folder inside kubernetes-models (core "v1" lives at the root). */
function modelModule(apiVersion: string, kind: string): string {
  return `kubernetes-models/${apiVersion}/${kind}`;
}

/** Validates one manifest against its schema; returns the problems (empty when valid). */
export function validateManifest(doc: { apiVersion?: unknown; kind?: unknown }): string[] {
  const mod = modelModule(String(doc.apiVersion), String(doc.kind));
  let Model: ModelClass;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    Model = (require(mod) as Record<string, ModelClass>)[String(doc.kind)]!;
    if (typeof Model !== 'function') throw new Error('no model class');
  } catch {
    return [`no schema for ${String(doc.apiVersion)} ${String(doc.kind)} (kubernetes-models has no ${mod})`];
  }
  try {
    new Model(doc).validate();
    return [];
  } catch (e) {
    return [(e as Error).message];
  }
}

// ---------------------------------------------------------------------------------------------- strict fields

type FieldType = { kind: 'object'; ref: TypeRef } | { kind: 'array'; of: FieldType } | { kind: 'map' } | { kind: 'leaf' };
interface TypeRef {
  file: string;
}
interface TypeInfo {
  fields: Map<string, FieldType>;
}

const modelsRoot = path.dirname(require.resolve('kubernetes-models'));
const typeCache = new Map<string, TypeInfo | null>();

/** Node module resolution for a .d.ts import, done by hand so it does not depend on package "exports". */
function resolveImport(fromFile: string, spec: string): string | undefined {
  if (spec.startsWith('.')) return path.resolve(path.dirname(fromFile), spec) + '.d.ts';
  for (let dir = path.dirname(fromFile); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', spec + '.d.ts');
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** Splits a `{ … }` body into its top-level members (separated by ";"), ignoring nested braces and generics. */
function topLevelMembers(body: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const c of body) {
    if (c === '{' || c === '<' || c === '(') depth++;
    if (c === '}' || c === '>' || c === ')') depth--;
    if (c === ';' && depth === 0) {
      out.push(cur.trim());
      cur = '';
    } else cur += c;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

function loadType(file: string): TypeInfo | null {
  if (typeCache.has(file)) return typeCache.get(file)!;
  typeCache.set(file, null);
  if (!fs.existsSync(file)) return null;
  const src = fs.readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');
  const imports = new Map<string, string>();
  for (const m of src.matchAll(/import\s*\{([^}]*)\}\s*from\s*"([^"]+)"/g)) {
    for (const name of m[1].split(',').map((s) =>
      s
        .trim()
        .split(/\s+as\s+/)
        .pop()!
        .trim(),
    )) {
      const resolved = resolveImport(file, m[2]);
      if (name && resolved) imports.set(name, resolved);
    }
  }
  const start = /export interface I\w+(?:\s+extends[^{]+)?\s*\{/.exec(src);
  if (!start) return null; // a type alias (IntOrString, Quantity, Time…): a leaf
  let depth = 1;
  let i = start.index + start[0].length;
  const from = i;
  for (; i < src.length && depth > 0; i++) {
    if (src[i] === '{') depth++;
    else if (src[i] === '}') depth--;
  }
  const body = src.slice(from, i - 1);
  const fields = new Map<string, FieldType>();
  const typeOf = (t: string): FieldType => {
    t = t.trim();
    const array = /^Array<([\s\S]+)>$/.exec(t);
    if (array) return { kind: 'array', of: typeOf(array[1]) };
    if (t.startsWith('{')) return { kind: 'map' };
    if (/^I\w+$/.test(t) && imports.has(t)) return { kind: 'object', ref: { file: imports.get(t)! } };
    return { kind: 'leaf' };
  };
  for (const member of topLevelMembers(body)) {
    const m = /^"?([^"?:]+)"?\??\s*:\s*([\s\S]+)$/.exec(member);
    if (m) fields.set(m[1], typeOf(m[2]));
  }
  const info = { fields };
  typeCache.set(file, info);
  return info;
}

function walk(value: unknown, type: FieldType, at: string, out: string[]): void {
  if (value === null || value === undefined) return;
  if (type.kind === 'array') {
    if (Array.isArray(value)) value.forEach((v, i) => walk(v, type.of, `${at}[${i}]`, out));
    return;
  }
  if (type.kind !== 'object' || typeof value !== 'object' || Array.isArray(value)) return;
  const info = loadType(type.ref.file);
  if (!info) return;
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const field = info.fields.get(k);
    if (!field) out.push(`${at}.${k}: unknown field (${path.basename(type.ref.file, '.d.ts')} has ${[...info.fields.keys()].join(', ')})`);
    else walk(v, field, `${at}.${k}`, out);
  }
}

/** Keys that are not fields of their Kubernetes type, as `Kind.path.to.key` strings. */
export function unknownFields(doc: { apiVersion?: unknown; kind?: unknown }): string[] {
  const file = path.join(modelsRoot, String(doc.apiVersion), `${String(doc.kind)}.d.ts`);
  if (!fs.existsSync(file)) return [`no type declarations for ${String(doc.apiVersion)} ${String(doc.kind)}`];
  const out: string[] = [];
  walk(doc, { kind: 'object', ref: { file } }, String(doc.kind), out);
  return out;
}
