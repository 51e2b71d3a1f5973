/** Search and paging of the price table, done in the browser (GET /api/prices answers every price at once). */

export type PriceScope = 'all' | 'served' | 'custom';

export interface FilterablePrice {
  model: string;
  builtin: boolean;
}

/** Rows whose model contains every word of `search` (case-insensitive), within the scope, in the given order. */
export function filterPrices<T extends FilterablePrice>(rows: readonly T[], search: string, scope: PriceScope, served: (model: string) => boolean): T[] {
  const words = search.toLowerCase().split(/\s+/).filter(Boolean);
  return rows.filter((r) => {
    if (scope === 'custom' && r.builtin) return false;
    if (scope === 'served' && !served(r.model)) return false;
    const name = r.model.toLowerCase();
    return words.every((w) => name.includes(w));
  });
}

/** Page `page` (1-based) of `size` rows, and how many pages there are (at least 1); a page past the end shows the last. */
export function pageOf<T>(rows: readonly T[], page: number, size: number): { rows: T[]; pages: number; page: number } {
  const pages = Math.max(1, Math.ceil(rows.length / size));
  const p = Math.min(Math.max(1, Math.floor(page) || 1), pages);
  return { rows: rows.slice((p - 1) * size, p * size), pages, page: p };
}
