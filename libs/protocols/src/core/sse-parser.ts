/**
 * Incremental SSE decoder (WHATWG rules): any split of the byte stream, `\n`, `\r\n` or `\r`
 * line endings, multi-line `data:`, comments. It also reports how much raw text has been
 * consumed by complete events, so a pass-through can forward whole events byte-for-byte.
 */
export interface SseEvent {
  event?: string;
  data: string;
}

const LINE_END = /[\r\n]/;

export class SseParser {
  private buf = '';
  /** Raw text not yet returned by takeCommittedRaw (pass-through mode). */
  private raw = '';
  /** Length of `raw` that belongs to completed events. */
  private committed = 0;
  /** Offset in `raw` where `buf` starts. */
  private bufStartInRaw = 0;
  private eventName: string | undefined;
  private dataLines: string[] = [];
  private hasFields = false;
  /** Leading characters of `buf` already scanned without a line end: a long line is scanned once, not per chunk. */
  private scanned = 0;
  /** Chunks with no line end, held apart from `buf` until one comes (appending each to `buf` copied it every time). */
  private held: string[] = [];

  constructor(private readonly keepRaw = false) {}

  push(chunk: string): SseEvent[] {
    if (this.keepRaw) this.raw += chunk;
    if (!LINE_END.test(chunk)) {
      this.held.push(chunk);
      return [];
    }
    this.buf += this.takeHeld() + chunk;
    return this.drain(false);
  }

  private takeHeld(): string {
    if (this.held.length === 0) return '';
    const text = this.held.join('');
    this.held = [];
    return text;
  }

  /** Upstream closed: dispatch a final event even if its terminating blank line never came. */
  flush(): SseEvent[] {
    this.buf += this.takeHeld();
    const events = this.drain(true);
    if (this.buf.length > 0) {
      this.processLine(this.buf);
      this.buf = '';
      this.scanned = 0;
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
    if (this.committed === 0) return '';
    const out = this.raw.slice(0, this.committed);
    this.raw = this.raw.slice(this.committed);
    this.bufStartInRaw -= this.committed;
    this.committed = 0;
    return out;
  }

  /** True when some bytes of an unfinished event are being held back. */
  get hasPartial(): boolean {
    return this.buf.length > 0 || this.held.length > 0 || this.hasFields;
  }

  private drain(final: boolean): SseEvent[] {
    const events: SseEvent[] = [];
    let pos = 0;
    const buf = this.buf;
    let i = this.scanned;
    this.scanned = 0;
    for (;;) {
      while (i < buf.length && buf.charCodeAt(i) !== 10 && buf.charCodeAt(i) !== 13) i++;
      if (i >= buf.length) {
        this.scanned = i - pos;
        break;
      }
      let next = i + 1;
      if (buf.charCodeAt(i) === 13) {
        if (i + 1 >= buf.length && !final) {
          this.scanned = i - pos; // a lone \r at the end may be half of \r\n: looked at again
          break;
        }
        if (buf.charCodeAt(i + 1) === 10) next = i + 2;
      }
      const line = buf.slice(pos, i);
      pos = next;
      i = next;
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
    this.hasFields = false;
    return hadData ? ev : undefined;
  }
}
