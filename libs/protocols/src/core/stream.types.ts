import type { IrStreamError, IrStreamEvent } from './ir.types';
import type { SseEvent } from './sse-parser';

/** Upstream SSE events → internal stream events (one per upstream protocol). */
export interface StreamDecoder {
  decode(event: SseEvent): IrStreamEvent[];
  /** Upstream closed: close whatever is still open (no `done` is added). */
  finish(): IrStreamEvent[];
}

/** Internal stream events → client SSE text (one per client protocol). */
export interface StreamEncoder {
  /** Content, usage and finish events. `error` and `done` are routed to abort()/end() by the translator. */
  encode(event: IrStreamEvent): string;
  /** Closing frames if not yet sent ('' once closed). */
  end(): string;
  /** The client protocol's in-stream error, then close. */
  abort(error: IrStreamError): string;
}
