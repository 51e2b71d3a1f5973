/**
 * Incremental SSE decoder (WHATWG rules): any split of the byte stream, `\n`, `\r\n` or `\r`
 * line endings, multi-line `data:`, comments. It also reports how much raw text has been
 * consumed by complete events, so a pass-through can forward whole events byte-for-byte.
 */
export interface SseEvent {
  event?: string;
  data: string;
}

/** The longest event (or line) a stream may hold back by default: beyond any real event, far below memory trouble. */
export const DEFAULT_MAX_SSE_EVENT_CHARS = 16 * 1024 * 1024;

/** An event (or a line) grew past the parser's bound without ending: the stream is broken or hostile. */
export class SseEventTooLargeError extends Error {
  readonly code = 'SSE_EVENT_TOO_LARGE';

  constructor(readonly maxChars: number) {
    super(`an upstream SSE event exceeded ${maxChars} characters without ending`);
  }
}

export class SseParser {
  private buf = '';
  /** Chunks of a line still open that brought no line end: joined once one comes (not copied at every chunk). */
  private held: string[] = [];
  private heldChars = 0;
  /** Characters in the current event's data lines. */
  private dataChars = 0;
  /** Raw text not yet returned by takeCommittedRaw (pass-through mode). */
  private raw = '';
  /** Length of `raw` that belongs to completed events. */
  private committed = 0;
  /** Offset in `raw` where `buf` starts. */
  private bufStartInRaw = 0;
  private eventName: string | undefined;
  private dataLines: string[] = [];
  private hasFields = false;

  /**
   * `maxEventChars` bounds what one unfinished event (its data lines and the open line) may hold: past it, push()
   * throws SseEventTooLargeError instead of buffering without end.
   */
  constructor(
    private readonly keepRaw = false,
    private readonly maxEventChars = DEFAULT_MAX_SSE_EVENT_CHARS,
  ) {}

  push(chunk: string): SseEvent[] {
    if (this.keepRaw) this.raw += chunk;
    if (this.buf.length > 0 && chunk.indexOf('\n') < 0 && chunk.indexOf('\r') < 0) {
      this.held.push(chunk);
      this.heldChars += chunk.length;
      this.checkSize();
      return [];
    }
    this.buf = this.unheld() + chunk;
    const events = this.drain(false);
    this.checkSize();
    return events;
  }

  /** Upstream closed: dispatch a final event even if its terminating blank line never came. */
  flush(): SseEvent[] {
    this.buf = this.unheld();
    const events = this.drain(true);
    if (this.buf.length > 0) {
      this.processLine(this.buf);
      this.buf = '';
    }
    if (this.hasFields) {
      const ev = this.dispatch();
      if (ev) events.push(ev);
    }
    if (this.keepRaw) this.committed = this.raw.length;
    return events;
  }

  /** Returns raw text of all complete events since the last call (pass-through). */
  takeCommittedRaw(): string {
    const out = this.raw.slice(0, this.committed);
    this.raw = this.raw.slice(this.committed);
    this.bufStartInRaw -= this.committed;
    this.committed = 0;
    return out;
  }

  /** True when some bytes of an unfinished event are being held back. */
  get hasPartial(): boolean {
    return this.buf.length > 0 || this.hasFields;
  }

  /** The open line with the chunks held for it. */
  private unheld(): string {
    if (!this.held.length) return this.buf;
    const line = this.buf + this.held.join('');
    this.held = [];
    this.heldChars = 0;
    return line;
  }

  private checkSize(): void {
    if (this.buf.length + this.heldChars + this.dataChars > this.maxEventChars) throw new SseEventTooLargeError(this.maxEventChars);
  }

  private drain(final: boolean): SseEvent[] {
    const events: SseEvent[] = [];
    let pos = 0;
    const buf = this.buf;
    for (;;) {
      let i = pos;
      while (i < buf.length && buf.charCodeAt(i) !== 10 && buf.charCodeAt(i) !== 13) i++;
      if (i >= buf.length) break;
      let next = i + 1;
      if (buf.charCodeAt(i) === 13) {
        if (i + 1 >= buf.length && !final) break; // a lone \r at the end may be half of \r\n
        if (buf.charCodeAt(i + 1) === 10) next = i + 2;
      }
      const line = buf.slice(pos, i);
      pos = next;
      if (line.length === 0) {
        if (this.hasFields) {
          const ev = this.dispatch();
          if (ev) events.push(ev);
        }
        this.committed = this.bufStartInRaw + pos;
      } else {
        this.processLine(line);
      }
    }
    this.buf = buf.slice(pos);
    this.bufStartInRaw += pos;
    return events;
  }

  private processLine(line: string): void {
    if (line.charCodeAt(0) === 58 /* : */) {
      return; // comment
    }
    const colon = line.indexOf(':');
    let name = line;
    let value = '';
    if (colon >= 0) {
      name = line.slice(0, colon);
      value = line.slice(colon + 1);
      if (value.charCodeAt(0) === 32) value = value.slice(1);
    }
    if (name === 'data') {
      this.dataLines.push(value);
      this.dataChars += value.length;
      this.hasFields = true;
    } else if (name === 'event') {
      this.eventName = value;
      this.hasFields = true;
    }
    // id / retry / unknown fields are ignored
  }

  private dispatch(): SseEvent | undefined {
    const ev: SseEvent = { data: this.dataLines.join('\n') };
    if (this.eventName !== undefined) ev.event = this.eventName;
    const hadData = this.dataLines.length > 0;
    this.eventName = undefined;
    this.dataLines = [];
    this.dataChars = 0;
    this.hasFields = false;
    return hadData ? ev : undefined;
  }
}
