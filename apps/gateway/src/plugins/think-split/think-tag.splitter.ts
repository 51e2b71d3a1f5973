/** One piece of a split answer: answer text, reasoning text, or the end of the reasoning block. */
export type ThinkPiece = { kind: 'text'; text: string } | { kind: 'thinking'; text: string } | { kind: 'end' };

type State = 'lead' | 'inside' | 'after' | 'pass';

const WS = /\s/;

/** The length of the longest end of `s` that begins `tag` (a tag possibly cut by the chunk boundary). */
function partialTagAt(s: string, tag: string): number {
  for (let n = Math.min(s.length, tag.length - 1); n > 0; n--) if (tag.startsWith(s.slice(s.length - n))) return n;
  return 0;
}

/**
 * Splits the leading `<tag>…</tag>` block off an answer that arrives in pieces cut anywhere. Only a block that opens
 * the answer (after whitespace) is reasoning: reasoning models emit one there, and a tag later in an answer is the
 * answer's own text (code, an explanation of the tag). Whitespace hugging the tags is dropped (`<think>\n…\n</think>\n\n`);
 * the rest is kept as it came. Held back at any time: only what may still turn out to be a tag or the whitespace
 * before one; once the answer is known not to open with the tag, or after the block, text flows straight through.
 */
export class ThinkTagSplitter {
  private state: State = 'lead';
  private held = '';
  /** whether any reasoning text went out (an empty block, `<think>\n\n</think>`, yields no reasoning at all) */
  private reasoned = false;
  private readonly open: string;
  private readonly close: string;

  constructor(tag: string) {
    this.open = `<${tag}>`;
    this.close = `</${tag}>`;
  }

  /** Past the leading block (or there is none): every later piece of text is answer text as it is. */
  get passing(): boolean {
    return this.state === 'pass';
  }

  push(text: string): ThinkPiece[] {
    if (this.state === 'pass') return text ? [{ kind: 'text', text }] : [];
    const out: ThinkPiece[] = [];
    this.held += text;
    // Each step consumes `held` or leaves it for the next push; a tag moves on to the next state and loops.
    for (;;) {
      if (this.state === 'lead') {
        const body = this.held.trimStart();
        if (body.startsWith(this.open)) {
          this.state = 'inside';
          this.held = body.slice(this.open.length);
          continue;
        }
        if (!this.open.startsWith(body)) this.pass(out);
        return out;
      }
      if (this.state === 'inside') {
        if (!this.reasoned) this.held = this.held.trimStart();
        const end = this.held.indexOf(this.close);
        if (end >= 0) {
          this.think(out, this.held.slice(0, end).trimEnd(), true);
          this.state = 'after';
          this.held = this.held.slice(end + this.close.length);
          continue;
        }
        let keep = this.held.length - partialTagAt(this.held, this.close);
        while (keep > 0 && WS.test(this.held[keep - 1])) keep--;
        this.think(out, this.held.slice(0, keep), false);
        this.held = this.held.slice(keep);
        return out;
      }
      // after the block: the answer starts at its first non-space character
      this.held = this.held.trimStart();
      if (this.held) this.pass(out);
      return out;
    }
  }

  /** The answer ended: an unclosed block is reasoning to the end; an undecided start is answer text after all. */
  flush(): ThinkPiece[] {
    const out: ThinkPiece[] = [];
    if (this.state === 'lead' && this.held) out.push({ kind: 'text', text: this.held });
    if (this.state === 'inside') this.think(out, this.held.trimEnd(), true);
    this.state = 'pass';
    this.held = '';
    return out;
  }

  private think(out: ThinkPiece[], text: string, end: boolean): void {
    if (text) {
      out.push({ kind: 'thinking', text });
      this.reasoned = true;
    }
    if (end && this.reasoned) out.push({ kind: 'end' });
  }

  private pass(out: ThinkPiece[]): void {
    this.state = 'pass';
    if (this.held) out.push({ kind: 'text', text: this.held });
    this.held = '';
  }
}
