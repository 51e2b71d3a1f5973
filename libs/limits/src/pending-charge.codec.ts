import type { PendingCharge } from './limit-store.types';

/**
 * The one spelling of a pending charge as both stores keep it (the Lua scripts write the same form):
 * 'R<micros>@<ms>' reserved, 'S<micros>@<ms>' settled, 'B<micros>@<ms>' billed. The reconciler forgets an entry only
 * if its stored text is still exactly what it saw, so encode(decode(x)) must give x back.
 */
export const EPOCH_FIELD = '#epoch';
/** A billed entry's field: request ids are the gateway's own and never start with '#'. */
export const BILLED_FIELD_PREFIX = '#tx:';

const STATE_LETTER = { reserved: 'R', settled: 'S', billed: 'B' } as const;
const LETTER_STATE = { R: 'reserved', S: 'settled', B: 'billed' } as const;

export function encodePendingCharge(c: PendingCharge): string {
  return `${STATE_LETTER[c.state]}${c.micros}@${c.sinceMs}`;
}

export function decodePendingCharge(text: string): PendingCharge {
  const m = /^([RSB])(-?\d+)@(\d+)$/.exec(text);
  if (!m) throw new Error(`malformed pending charge: ${text}`);
  return { state: LETTER_STATE[m[1] as keyof typeof LETTER_STATE], micros: Number(m[2]), sinceMs: Number(m[3]) };
}

/** The field of the billed entry that billing transaction `txid` folds its settled entries into. */
export const billedField = (txid: string): string => `${BILLED_FIELD_PREFIX}${txid}`;

/** The transaction id of a billed entry's field; null for a request's own entry. */
export const txidOfField = (field: string): string | null => (field.startsWith(BILLED_FIELD_PREFIX) ? field.slice(BILLED_FIELD_PREFIX.length) : null);

/** The text prefix of a settled entry of exactly this cost (its time follows). */
export const settledPrefix = (micros: number): string => `S${micros}@`;
