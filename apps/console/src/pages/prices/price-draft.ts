import type { PriceLike } from './price-math';

export const PRICE_FIELDS = ['input', 'output', 'cacheRead', 'cacheWrite', 'perRequest'] as const;
export type PriceField = (typeof PRICE_FIELDS)[number];

/** The unit prices of SPEC §8 besides the by-size image prices (USD; empty: the unit is free). */
export const UNIT_FIELDS = ['perImage', 'audioInputPerMinute', 'speechPerMillionChars', 'perSearchUnit'] as const;
export type UnitField = (typeof UNIT_FIELDS)[number];

/** One row of `perImageBySize`: a size (`1024x1024`) or `quality:size` (`hd:1024x1024`), and its price per image. */
export interface SizeRow {
  key: string;
  price: number | string;
}

/** The editor's fields as Mantine's NumberInput holds them: a number, or '' while empty. */
export type PriceDraft = { model: string; bySize: SizeRow[] } & Record<PriceField | UnitField, number | string>;

export const emptyPriceDraft = (model = ''): PriceDraft => ({
  model,
  input: '',
  output: '',
  cacheRead: '',
  cacheWrite: '',
  perRequest: '',
  perImage: '',
  audioInputPerMinute: '',
  speechPerMillionChars: '',
  perSearchUnit: '',
  bySize: [],
});

export const priceToDraft = (p: PriceLike & { model: string }): PriceDraft => ({
  model: p.model,
  input: p.input,
  output: p.output,
  cacheRead: p.cacheRead,
  cacheWrite: p.cacheWrite,
  perRequest: p.perRequest,
  perImage: p.perImage ?? '',
  audioInputPerMinute: p.audioInputPerMinute ?? '',
  speechPerMillionChars: p.speechPerMillionChars ?? '',
  perSearchUnit: p.perSearchUnit ?? '',
  bySize: Object.entries(p.perImageBySize ?? {}).map(([key, price]) => ({ key, price })),
});

const num = (v: number | string): number | undefined => {
  if (typeof v === 'number') return v;
  const t = v.trim();
  return t === '' ? undefined : Number(t);
};

export type PriceBody = Partial<Record<PriceField | UnitField, number>> & { perImageBySize?: Record<string, number | null> };

/**
 * The PUT /api/prices/:model body: empty fields are left out, so the API's own rule applies and its 400 names the
 * field (input and output are required; the cache prices and perRequest default to 0; a unit price left out is
 * free). A by-size row with a size and no price is sent as null, so the 400 names that size; blank rows are dropped.
 */
export function priceDraftToBody(d: PriceDraft): PriceBody {
  const body: PriceBody = {};
  for (const f of [...PRICE_FIELDS, ...UNIT_FIELDS]) {
    const v = num(d[f]);
    if (v !== undefined) body[f] = v;
  }
  const rows = d.bySize.filter((r) => r.key.trim() !== '' || num(r.price) !== undefined);
  if (rows.length) body.perImageBySize = Object.fromEntries(rows.map((r) => [r.key.trim(), num(r.price) ?? null]));
  return body;
}

/** The draft as a price for the live example; what is still empty counts as 0 (a unit price: free). */
export function draftAsPrice(d: PriceDraft): PriceLike {
  const v = (f: PriceField) => num(d[f]) ?? 0;
  const u = (f: UnitField) => num(d[f]) ?? null;
  const sized = d.bySize.flatMap((r) => (r.key.trim() && num(r.price) !== undefined ? [[r.key.trim(), num(r.price)!] as const] : []));
  return {
    input: v('input'),
    output: v('output'),
    cacheRead: v('cacheRead'),
    cacheWrite: v('cacheWrite'),
    perRequest: v('perRequest'),
    perImage: u('perImage'),
    perImageBySize: sized.length ? Object.fromEntries(sized) : null,
    audioInputPerMinute: u('audioInputPerMinute'),
    speechPerMillionChars: u('speechPerMillionChars'),
    perSearchUnit: u('perSearchUnit'),
  };
}

/** The first by-size key of a price, as the example image (`hd:1792x1024` → size and quality); none without one. */
export function exampleImage(p: PriceLike): { size?: string; quality?: string } {
  const key = Object.keys(p.perImageBySize ?? {})[0];
  if (!key) return {};
  const at = key.lastIndexOf(':');
  return at < 0 ? { size: key } : { quality: key.slice(0, at), size: key.slice(at + 1) };
}
