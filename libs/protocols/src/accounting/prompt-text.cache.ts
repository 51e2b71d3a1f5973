import { countTextTokens } from './token-count.util';

/** Shorter texts count in a few µs: caching them would only churn the cache. */
const MIN_CACHED_CHARS = 512;
/** What the cache may hold in all (≈ 8–16 MB of strings), and the most one text may take of it. */
const MAX_CACHED_CHARS = 8 * 1024 * 1024;
const MAX_TEXT_CHARS = MAX_CACHED_CHARS / 8;

/**
 * Token counts of prompt texts, least recently used out first. Agents send their system prompt, their tool
 * definitions and the conversation so far again on every turn, and BPE costs ≈ 0.8 µs a token on the relay's thread
 * (a 21 000-token prompt ≈ 17 ms); a lookup costs a hash of the text (V8 hashes a long string by its length) and a
 * comparison on a hit. Keys are copies: a text sliced from a larger string would keep that string alive.
 */
export class PromptTextCache {
  private readonly counts = new Map<string, number>();
  private chars = 0;
  hits = 0;
  misses = 0;

  constructor(
    private readonly count: (text: string) => number = countTextTokens,
    private readonly maxChars = MAX_CACHED_CHARS,
  ) {}

  tokens(text: string): number {
    if (text.length < MIN_CACHED_CHARS || text.length > Math.min(MAX_TEXT_CHARS, this.maxChars)) return this.count(text);
    const known = this.counts.get(text);
    if (known !== undefined) {
      this.hits++;
      this.counts.delete(text); // to the back: most recently used
      this.counts.set(text, known);
      return known;
    }
    this.misses++;
    const n = this.count(text);
    this.counts.set(JSON.parse(JSON.stringify(text)) as string, n);
    this.chars += text.length;
    for (const [oldest] of this.counts) {
      if (this.chars <= this.maxChars) break;
      this.counts.delete(oldest);
      this.chars -= oldest.length;
    }
    return n;
  }

  /** Texts held and their characters. */
  get size(): { texts: number; chars: number } {
    return { texts: this.counts.size, chars: this.chars };
  }
}

/** The process's cache of prompt texts. */
export const PROMPT_TEXTS = new PromptTextCache();

/** countTextTokens for prompt texts, through the process's cache. */
export const promptTextTokens = (text: string): number => PROMPT_TEXTS.tokens(text);
