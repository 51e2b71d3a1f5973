import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';

/** One decoded AWS event-stream message: its string headers (`:message-type`, `:event-type`…) and payload text. */
export interface AwsEventMessage {
  headers: Record<string, string>;
  payload: string;
}

/** An `exception`/`error` frame, or a frame whose CRC does not match: the stream cannot go on. */
export class AwsEventStreamError extends Error {
  constructor(
    message: string,
    /** `:exception-type` or `:error-code` (`throttlingException`, `validationException`…) */
    readonly code: string,
  ) {
    super(message);
  }
}

const codec = new EventStreamCodec(toUtf8, fromUtf8);
/** A frame announcing more than this is garbage, not a message (AWS caps event payloads far lower). */
const MAX_FRAME = 16 * 1024 * 1024;

/**
 * AWS's binary event stream (`application/vnd.amazon.eventstream`) as messages: network reads are buffered to each
 * frame's `total_length` and decoded by smithy's codec, which checks both CRCs. `exception` and `error` frames throw.
 */
export class AwsEventStreamReader {
  private buf: Buffer = Buffer.alloc(0);

  /** An error met after messages of the same read: those are returned first, it is thrown by the next call. */
  private pending: AwsEventStreamError | null = null;

  push(chunk: Uint8Array): AwsEventMessage[] {
    this.throwPending();
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : Buffer.from(chunk);
    const out: AwsEventMessage[] = [];
    try {
      while (this.buf.length >= 4) {
        const total = this.buf.readUInt32BE(0);
        if (total < 16 || total > MAX_FRAME) throw new AwsEventStreamError(`event stream frame of ${total} bytes`, 'invalidFrame');
        if (this.buf.length < total) break;
        const frame = this.buf.subarray(0, total);
        this.buf = this.buf.subarray(total);
        out.push(this.decode(frame));
      }
    } catch (e) {
      // The text that came before an exception in the same read is delivered, not lost with it.
      if (!out.length || !(e instanceof AwsEventStreamError)) throw e;
      this.pending = e;
    }
    return out;
  }

  private throwPending(): void {
    const e = this.pending;
    this.pending = null;
    if (e) throw e;
  }

  /** Throws when the stream ended inside a frame (or on an exception frame not thrown yet). */
  end(): void {
    this.throwPending();
    if (this.buf.length) throw new AwsEventStreamError(`event stream ended inside a frame (${this.buf.length} bytes left)`, 'truncatedFrame');
  }

  private decode(frame: Uint8Array): AwsEventMessage {
    let message;
    try {
      message = codec.decode(frame);
    } catch (e) {
      throw new AwsEventStreamError(`event stream frame rejected: ${(e as Error).message}`, 'invalidFrame');
    }
    const headers: Record<string, string> = {};
    for (const [name, h] of Object.entries(message.headers)) headers[name] = String(h.value);
    const payload = toUtf8(message.body);
    const type = headers[':message-type'] ?? 'event';
    if (type === 'exception' || type === 'error') {
      const code = headers[':exception-type'] ?? headers[':error-code'] ?? type;
      let text = headers[':error-message'] ?? payload;
      try {
        text = (JSON.parse(payload) as { message?: string; Message?: string }).message ?? (JSON.parse(payload) as { Message?: string }).Message ?? text;
      } catch {
        // not JSON: the payload text is the message
      }
      throw new AwsEventStreamError(text || code, code);
    }
    return { headers, payload };
  }
}

/** The SSE event a decoder reads for one message: `event:` its `:event-type`, `data:` its payload on one line. */
export function sseEventOf(name: string, json: string): string {
  return `event: ${name}\ndata: ${json.replace(/\r?\n/g, '')}\n\n`;
}
