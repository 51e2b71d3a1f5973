/** The alias form (targets as rows the user adds and removes) and its translation to and from the admin API. */

export interface TargetRow {
  /** stable React key of the row; not sent */
  key: number;
  model: string;
  /** NumberInput's value: a number, or '' while empty */
  weight: number | string;
}

export interface AliasDraft {
  name: string;
  targets: TargetRow[];
  /** in the order they are tried */
  fallbacks: string[];
}

export interface AliasTarget {
  model: string;
  weight: number;
}

let nextKey = 1;
export const targetRow = (model = '', weight: number | string = 1): TargetRow => ({ key: nextKey++, model, weight });

export const emptyAliasDraft = (): AliasDraft => ({ name: '', targets: [targetRow()], fallbacks: [] });

/** The answer types `targets` loosely; keep the well-formed entries (weight 1 when missing, as the API defaults). */
export function readTargets(targets: unknown): AliasTarget[] {
  if (!Array.isArray(targets)) return [];
  return targets.flatMap((t: unknown) => {
    if (!t || typeof t !== 'object') return [];
    const { model, weight } = t as { model?: unknown; weight?: unknown };
    if (typeof model !== 'string') return [];
    return [{ model, weight: typeof weight === 'number' && Number.isFinite(weight) ? weight : 1 }];
  });
}

export const aliasToDraft = (a: { name: string; targets: unknown; fallbacks: string[] }): AliasDraft => ({
  name: a.name,
  targets: readTargets(a.targets).map((t) => targetRow(t.model, t.weight)),
  fallbacks: [...a.fallbacks],
});

const weightOf = (w: number | string): number => {
  const n = typeof w === 'number' ? w : Number(w.trim() || NaN);
  return Number.isFinite(n) && n > 0 ? n : 0;
};

/** Each target's share of the traffic, 0..1; all zero when no weight is positive (the alias then routes nowhere). */
export function shares(weights: readonly (number | string)[]): number[] {
  const ws = weights.map(weightOf);
  const total = ws.reduce((a, b) => a + b, 0);
  return ws.map((w) => (total > 0 ? w / total : 0));
}

/**
 * The body of POST /api/aliases (PATCH drops `name`). Rows are sent as typed, trimmed (an empty weight as is, so
 * the API's 400 names `targets.N.weight`); only completely empty rows, which the user has not started, are dropped.
 */
export function aliasDraftToBody(d: AliasDraft): { name: string; targets: { model: string; weight: number | string }[]; fallbacks: string[] } {
  return {
    name: d.name.trim(),
    targets: d.targets.filter((t) => t.model.trim() !== '' || (t.weight !== '' && t.weight !== 1)).map((t) => ({ model: t.model.trim(), weight: t.weight })),
    fallbacks: d.fallbacks.map((f) => f.trim()).filter(Boolean),
  };
}

/** Moves the item at `from` by `delta` places (fallback order); out-of-range moves change nothing. */
export function move<T>(list: readonly T[], from: number, delta: number): T[] {
  const to = from + delta;
  if (from < 0 || from >= list.length || to < 0 || to >= list.length) return [...list];
  const out = [...list];
  const [x] = out.splice(from, 1);
  out.splice(to, 0, x);
  return out;
}
