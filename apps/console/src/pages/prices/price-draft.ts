import type { PriceLike } from './price-math';

export const PRICE_FIELDS = ['input', 'output', 'cacheRead', 'cacheWrite', 'perRequest'] as const;
export type PriceField = (typeof PRICE_FIELDS)[number];

/** The editor's fields as Mantine's NumberInput holds them: a number, or '' while empty. */
export type PriceDraft = { model: string } & Record<PriceField, number | string>;

export const emptyPriceDraft = (model = ''): PriceDraft => ({ model, input: '', output: '', cacheRead: '', cacheWrite: '', perRequest: '' });

export const priceToDraft = (p: PriceLike & { model: string }): PriceDraft => ({
  model: p.model,
  input: p.input,
  output: p.output,
  cacheRead: p.cacheRead,
  cacheWrite: p.cacheWrite,
  perRequest: p.perRequest,
});

const num = (v: number | string): number | undefined => {
  if (typeof v === 'number') return v;
  const t = v.trim();
  return t === '' ? undefined : Number(t);
};

/**
 * The PUT /api/prices/:model body: empty fields are left out, so the API's own rule applies and its 400 names the
 * field (input and output are required; the cache prices and perRequest default to 0).
 */
export function priceDraftToBody(d: PriceDraft): Partial<Record<PriceField, number>> {
  const body: Partial<Record<PriceField, number>> = {};
  for (const f of PRICE_FIELDS) {
    const v = num(d[f]);
    if (v !== undefined) body[f] = v;
  }
  return body;
}

/** The draft as a price for the live example; what is still empty counts as 0. */
export function draftAsPrice(d: PriceDraft): PriceLike {
  const v = (f: PriceField) => num(d[f]) ?? 0;
  return { input: v('input'), output: v('output'), cacheRead: v('cacheRead'), cacheWrite: v('cacheWrite'), perRequest: v('perRequest') };
}
