import type { IncomingHttpHeaders } from 'node:http';
import type { ShapeHint } from './reply-plan.builder';
import type { MockVendor } from './mock-upstream.types';
import type { ErrorReply } from './vendor-error.bodies';

/** What a vendor handler sees. */
export interface RequestContext {
  vendor: MockVendor;
  method: string;
  pathname: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: unknown;
  shape: ShapeHint;
  ids: IdSource;
}

export interface JsonReply {
  kind: 'json';
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface StreamEvent {
  /** Framed bytes for SSE (`data: …\n\n`); a bare JSON value for the json-array framing. */
  data: string;
  /** Carries generated content: pacing delays go before these (except the first). */
  paced?: boolean;
}

export interface StreamReply {
  kind: 'stream';
  contentType: string;
  /** `sse`: events are written as given. `json-array`: `[`, `,\r\n` between elements, `]` at the end. */
  framing: 'sse' | 'json-array';
  events: StreamEvent[];
  /** Pause before each paced event except the first. */
  delayMs: number;
  headers?: Record<string, string>;
  /** The vendor's in-stream error, as events in this stream's framing, sent after `sent` events. */
  inStreamError(status: number, sent: number): string[];
}

/** A non-JSON answer (speech audio, a transcript as text or subtitles), sent as it is. */
export interface BytesReply {
  kind: 'bytes';
  status: number;
  contentType: string;
  body: Buffer;
  headers?: Record<string, string>;
}

export type MockReply = JsonReply | StreamReply | BytesReply;

export function jsonReply(body: unknown, status = 200, headers?: Record<string, string>): JsonReply {
  return { kind: 'json', status, body, headers };
}

export function errorReply(e: ErrorReply): JsonReply {
  return { kind: 'json', status: e.status, body: e.body, headers: e.headers };
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Per-server id generator: realistic-looking, unique (a counter ends every id), cheap. */
export class IdSource {
  private seq = 0;
  constructor(private readonly seed: number) {}

  /** `prefix` + `length` alphanumeric characters. */
  next(prefix: string, length = 24): string {
    const seq = ++this.seq;
    const tail = seq.toString(36);
    let x = (this.seed ^ Math.imul(seq, 0x9e3779b1)) >>> 0 || 1;
    let s = prefix;
    for (let i = tail.length; i < length; i++) {
      x ^= x << 13;
      x >>>= 0;
      x ^= x >>> 17;
      x ^= x << 5;
      x >>>= 0;
      s += ALNUM[x % 62];
    }
    return s + tail;
  }
}
