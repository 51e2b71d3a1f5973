/**
 * Before/after snapshots of an audit entry as rows a person can read: nested objects flattened to dotted paths
 * (`timeouts.connectMs`), arrays compared whole (a models list reads better as one value than item by item).
 */
export type ChangeKind = 'added' | 'removed' | 'changed' | 'same';

export interface DiffRow {
  path: string;
  before: unknown;
  after: unknown;
  kind: ChangeKind;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Leaf values by dotted path, in key order; an empty object is a leaf (`{}`), so it still shows. */
export function flatten(v: unknown, prefix = '', out = new Map<string, unknown>()): Map<string, unknown> {
  if (!isPlainObject(v)) {
    if (prefix) out.set(prefix, v);
    return out;
  }
  const keys = Object.keys(v);
  if (keys.length === 0 && prefix) out.set(prefix, {});
  for (const k of keys) flatten(v[k], prefix ? `${prefix}.${k}` : k, out);
  return out;
}

/** JSON with object keys sorted: equal values compare equal whatever order the service wrote the keys in. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isPlainObject(v))
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
      .join(',')}}`;
  return JSON.stringify(v) ?? 'undefined';
}

/** Every field of either snapshot: a create has no before (all added), a delete no after (all removed). */
export function diffSnapshots(before: unknown, after: unknown): DiffRow[] {
  const b = flatten(before);
  const a = flatten(after);
  const paths = [...new Set([...b.keys(), ...a.keys()])];
  // Fields of the snapshot that has them in the service's order; added ones after the ones both hold.
  return paths.map((path) => {
    const inB = b.has(path);
    const inA = a.has(path);
    const kind: ChangeKind = !inB ? 'added' : !inA ? 'removed' : canonical(b.get(path)) === canonical(a.get(path)) ? 'same' : 'changed';
    return { path, before: b.get(path), after: a.get(path), kind };
  });
}

/** Fields that every update touches by itself; the row summary leaves them out (the diff still shows them). */
const BOOKKEEPING = new Set(['updatedAt']);

/** The changed field names of an update, for the list's summary column. */
export function changedFields(before: unknown, after: unknown): string[] {
  return diffSnapshots(before, after)
    .filter((r) => r.kind !== 'same' && !BOOKKEEPING.has(r.path))
    .map((r) => r.path);
}

/** A value as a reader sees it: strings bare, absent as a dash, the rest as compact JSON. */
export function showValue(v: unknown): string {
  if (v === undefined) return '—';
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}
