/** o200k token counting that stays fast on hostile input (long base64 runs are quadratic in BPE). */
type Encoding = typeof import('gpt-tokenizer/encoding/o200k_base');

/**
 * The encoding (o200k's ranks: ≈200k strings, ≈12 MB of live heap, more while it is parsed, and 0.5–0.8 s to load)
 * is loaded on first use, not on import: the services that never count (auth, router, billing, log-writer) never
 * hold it. The gateway loads it before it serves (loadTokenizer()): loaded by the first request that counts, it
 * would stall every request in flight for that half second.
 */
let encoding: Encoding | undefined;
// eslint-disable-next-line @typescript-eslint/no-require-imports -- deliberately lazy, see above
const o200k = (): Encoding => (encoding ??= require('gpt-tokenizer/encoding/o200k_base') as Encoding);

/** Loads the encoding now (the gateway, before it serves); counting loads it anyway. */
export function loadTokenizer(): void {
  o200k();
}

const LONG_RUN = /\S{257,}/g;
const RUN_CHUNK = 256;
/** Above this many characters, count a prefix and extrapolate. */
const MAX_EXACT_CHARS = 1_000_000;
const OPTIONS = { disallowedSpecial: new Set<string>() };

function enc(s: string): number {
  return s.length === 0 ? 0 : o200k().countTokens(s, OPTIONS);
}

export function countTextTokens(text: string): number {
  if (!text) return 0;
  if (text.length > MAX_EXACT_CHARS) {
    const head = text.slice(0, MAX_EXACT_CHARS);
    return Math.ceil((countTextTokens(head) * text.length) / head.length);
  }
  let total = 0;
  let last = 0;
  for (const m of text.matchAll(LONG_RUN)) {
    const at = m.index ?? 0;
    total += enc(text.slice(last, at));
    const run = m[0];
    for (let i = 0; i < run.length; i += RUN_CHUNK) total += enc(run.slice(i, i + RUN_CHUNK));
    last = at + run.length;
  }
  return total + enc(text.slice(last));
}
