import type { PendingCharge } from './limit-store.types';

/**
 * The one spelling of a pending charge as both stores keep it (the Lua scripts write the same form):
 * 'R<micros>@<ms>' reserved, 'S<micros>@<ms>' settled. The reconciler forgets an entry only if its stored text is
 * still exactly what it saw, so encode(decode(x)) must give x back.
 */
export const EPOCH_FIELD = '#epoch';

export function encodePendingCharge(c: PendingCharge): string {
  return `${c.state === 'reserved' ? 'R' : 'S'}${c.micros}@${c.sinceMs}`;
}

export function decodePendingCharge(text: string): PendingCharge {
  const m = /^([RS])(-?\d+)@(\d+)$/.exec(text);
  if (!m) throw new Error(`malformed pending charge: ${text}`);
  return { state: m[1] === 'R' ? 'reserved' : 'settled', micros: Number(m[2]), sinceMs: Number(m[3]) };
}
