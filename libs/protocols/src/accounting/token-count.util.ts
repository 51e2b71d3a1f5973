/** o200k token counting that stays fast on hostile input (long base64 runs are quadratic in BPE). */
import type { GptEncoding } from 'gpt-tokenizer/GptEncoding';

type Counter = Pick<GptEncoding, 'countTokens'>;
/** o200k's merge ranks, as gpt-tokenizer's `bpeRanks/o200k_base` holds them. */
export type O200kRanks = () => (string | number[])[];

/**
 * The encoding from the given ranks, or from the package's own module. That module is a 2.4 MB array literal:
 * compiling it took ≈1 s and left ≈20 MB more resident (the parser's memory, freed but kept by malloc) than
 * JSON.parse of the same ranks, which is why the gateway passes them from the build's JSON copy.
 */
export function createO200k(ranks?: O200kRanks): Counter {
  /* eslint-disable @typescript-eslint/no-require-imports -- deliberately lazy, see loadTokenizer */
  if (ranks) return (require('gpt-tokenizer/GptEncoding') as typeof import('gpt-tokenizer/GptEncoding')).GptEncoding.getEncodingApi('o200k_base', ranks);
  return require('gpt-tokenizer/encoding/o200k_base') as typeof import('gpt-tokenizer/encoding/o200k_base');
  /* eslint-enable @typescript-eslint/no-require-imports */
}

/**
 * The encoding (≈200k strings, ≈14 MB of live heap) is loaded on first use, not on import: the services that never
 * count (auth, router, billing, log-writer) never hold it. The gateway loads it before it serves (loadTokenizer()):
 * loaded by the first request that counts, it would stall every request in flight meanwhile.
 */
let encoding: Counter | undefined;
const o200k = (): Counter => (encoding ??= createO200k());

/** Loads the encoding now (the gateway, before it serves), from `ranks` when given; counting loads it anyway. */
export function loadTokenizer(ranks?: O200kRanks): void {
  encoding ??= createO200k(ranks);
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
