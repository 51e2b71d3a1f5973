/** o200k token counting that stays fast on hostile input (long base64 runs are quadratic in BPE). */
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';

const LONG_RUN = /\S{257,}/g;
const RUN_CHUNK = 256;
/** Above this many characters, count a prefix and extrapolate. */
const MAX_EXACT_CHARS = 1_000_000;
const OPTIONS = { disallowedSpecial: new Set<string>() };

function enc(s: string): number {
  return s.length === 0 ? 0 : countTokens(s, OPTIONS);
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
