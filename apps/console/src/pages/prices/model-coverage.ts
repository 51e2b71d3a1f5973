import { pricedAs } from './price-math';

/** What the coverage needs of a channel (the channels list answers more). */
export interface CoverageChannel {
  id: number;
  name: string;
  enabled: boolean;
  models: string[];
}

/** The router's rule (apps/gateway routing-table `globToRegExp`): `*` matches any run of characters, nothing else is special. */
export function modelPattern(pattern: string): RegExp {
  return new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
}

export interface Unpriced {
  /** a model a channel lists by name, or a wildcard pattern */
  model: string;
  wildcard: boolean;
  channels: CoverageChannel[];
}

export interface Coverage {
  /** priced model → the channels that serve it (by name, by a wildcard, or by a dated release billed at its price) */
  servedBy: Map<string, CoverageChannel[]>;
  /**
   * What channels serve without a price: models listed by name that no price covers, and wildcards that match no
   * priced model (every name they let through is unpriced). Sorted by name.
   */
  unpriced: Unpriced[];
}

export function modelCoverage(pricedModels: readonly string[], channels: readonly CoverageChannel[]): Coverage {
  const priced = new Set(pricedModels);
  const servedBy = new Map<string, CoverageChannel[]>(pricedModels.map((m) => [m, []]));
  const unpriced = new Map<string, Unpriced>();
  const serve = (model: string, c: CoverageChannel) => {
    const list = servedBy.get(model)!;
    if (!list.includes(c)) list.push(c);
  };
  const flag = (model: string, wildcard: boolean, c: CoverageChannel) => {
    const u = unpriced.get(model) ?? { model, wildcard, channels: [] };
    if (!u.channels.includes(c)) u.channels.push(c);
    unpriced.set(model, u);
  };
  for (const c of channels)
    for (const pattern of c.models) {
      if (pattern.includes('*')) {
        const re = modelPattern(pattern);
        const matched = pricedModels.filter((m) => re.test(m));
        for (const m of matched) serve(m, c);
        if (!matched.length) flag(pattern, true, c);
        continue;
      }
      const as = pricedAs(priced, pattern);
      if (as) serve(as, c);
      else flag(pattern, false, c);
    }
  return { servedBy, unpriced: [...unpriced.values()].sort((a, b) => a.model.localeCompare(b.model)) };
}
