import { errors, type Dispatcher } from 'undici';

/** What the relay needs of an upstream call's cancel switch (RelayAbort: an EventEmitter with aborted/reason). */
export interface UpstreamSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  once(event: 'abort', listener: () => void): unknown;
  removeListener(event: 'abort', listener: () => void): unknown;
}

/** Chunks held for a reader that is behind before the upstream socket is paused (undici's body default). */
const HIGH_WATER_MARK = 64 * 1024;

/** The upstream's body grew past what `bytes(max)` accepts (UPSTREAM_MAX_RESPONSE_BYTES). */
export class UpstreamResponseTooLargeError extends Error {
  readonly code = 'UPSTREAM_RESPONSE_TOO_LARGE';

  constructor(readonly maxBytes: number) {
    super(`the upstream response is larger than ${maxBytes} bytes`);
  }
}

/**
 * One upstream call as an undici dispatch handler, and the response it delivers. It replaces `request()`, whose
 * per-call RequestHandler (an AsyncResource) and BodyReadable (a node:stream Readable) with all response headers
 * parsed into an object cost the cluster gateway ~3 % of its CPU, with the same outcomes, which the relay's failover
 * depends on:
 *
 * - `headers` settles when the status line and headers arrive (1xx skipped), or rejects with undici's error
 *   (connect, headers timeout, reset) or the signal's reason when the call was cancelled first.
 * - The body is read once: whole (`bytes()`, failing past its limit), up to a limit (`text()`), or chunk by chunk
 *   (`for await`), with *   backpressure (past 64 KiB unread the upstream socket is paused). An error (body timeout, reset, cancel) ends
 *   the read with that error and drops what was not read yet; cancelling after the headers fails the body with the
 *   signal's reason. A reader that stops early (a limit reached, a loop left) aborts the upstream request.
 * - The signal is listened to until the body has been read to its end or failed.
 */
export class UpstreamResponse implements Dispatcher.DispatchHandler {
  statusCode = 0;
  readonly headers: Promise<UpstreamResponse>;

  private rawHeaders: Buffer[] = [];
  private abortCall: ((reason?: Error) => void) | null = null;
  private resumeSocket: (() => void) | null = null;
  private resolveHeaders!: (r: UpstreamResponse) => void;
  private rejectHeaders!: (e: unknown) => void;
  private headersSeen = false;

  private readonly chunks: Buffer[] = [];
  private buffered = 0;
  private paused = false;
  private complete = false;
  /** Ended for the reader: read to the end, failed or destroyed. */
  private done = false;
  private failure: unknown = undefined;
  /** How the body is being read: not yet, whole (never paused), or chunk by chunk. */
  private reader: 'none' | 'whole' | 'chunks' = 'none';
  /** bytes()' limit: it keeps everything, so only this bounds its memory. */
  private maxWhole = Infinity;
  private wake: (() => void) | null = null;
  private cancelReason: unknown = undefined;
  private readonly onAbort: (() => void) | null = null;

  constructor(private readonly signal: UpstreamSignal | null) {
    this.headers = new Promise<UpstreamResponse>((resolve, reject) => {
      this.resolveHeaders = resolve;
      this.rejectHeaders = reject;
    });
    if (signal?.aborted) {
      this.cancelReason = signal.reason ?? new errors.RequestAbortedError();
    } else if (signal) {
      this.onAbort = () => this.cancel(signal.reason ?? new errors.RequestAbortedError());
      signal.once('abort', this.onAbort);
    }
  }

  /** A response header (first value), by lower-case name. */
  header(name: string): string | undefined {
    for (let i = 0; i < this.rawHeaders.length; i += 2) {
      if (this.rawHeaders[i].toString('latin1').toLowerCase() === name) return this.rawHeaders[i + 1].toString('utf8');
    }
    return undefined;
  }

  // ---------------------------------------------------------------- reading the body
  /** The whole body; more than `max` bytes fail with UpstreamResponseTooLargeError (the upstream request is aborted). */
  async bytes(max = Infinity): Promise<Buffer> {
    this.use('whole');
    this.maxWhole = max;
    if (this.buffered > max) this.tooLarge();
    this.resume();
    while (!this.complete && this.failure === undefined) await this.next();
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- rethrows what the body failed with (an abort reason may be any value)
    if (this.failure !== undefined) throw this.failure;
    this.finish();
    return this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
  }

  /** At most `max` bytes of the body as UTF-8; the rest is not read (the upstream request is aborted). */
  async text(max: number): Promise<string> {
    const parts: Buffer[] = [];
    let size = 0;
    for await (const b of this) {
      if (size + b.length > max) {
        parts.push(b.subarray(0, max - size));
        break;
      }
      parts.push(b);
      size += b.length;
    }
    return Buffer.concat(parts).toString('utf8');
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Buffer, void, undefined> {
    this.use('chunks');
    try {
      for (;;) {
        // eslint-disable-next-line @typescript-eslint/only-throw-error -- rethrows what the body failed with (an abort reason may be any value)
        if (this.failure !== undefined) throw this.failure;
        const chunk = this.chunks.shift();
        if (chunk) {
          this.buffered -= chunk.length;
          if (this.buffered < HIGH_WATER_MARK) this.resume();
          yield chunk;
        } else if (this.complete) {
          this.finish();
          return;
        } else {
          await this.next();
        }
      }
    } finally {
      // Left early (a limit reached, the caller's loop left or failed): the rest is not wanted.
      this.destroy();
    }
  }

  /** Stops reading: aborts the upstream request unless it already completed. */
  destroy(): void {
    if (this.done) return;
    this.finish();
    this.abortCall?.();
  }

  private use(reader: 'whole' | 'chunks'): void {
    if (this.reader !== 'none') throw new Error('the upstream response body was already read');
    this.reader = reader;
  }

  private resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.resumeSocket?.();
  }

  private next(): Promise<void> {
    return new Promise<void>((resolve) => (this.wake = resolve));
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  /** The body is over for the reader: stop listening to the signal. */
  private finish(): void {
    this.done = true;
    if (this.onAbort) this.signal!.removeListener('abort', this.onAbort);
  }

  private fail(err: unknown): void {
    if (this.done) return;
    this.failure = err;
    this.chunks.length = 0;
    this.buffered = 0;
    this.finish();
    this.notify();
  }

  private tooLarge(): void {
    this.fail(new UpstreamResponseTooLargeError(this.maxWhole));
    this.abortCall?.();
  }

  private cancel(reason: unknown): void {
    this.cancelReason = reason;
    // After the headers the reader fails with the reason (the abort's own error then changes nothing); before,
    // undici fails the call with it (onError), or onConnect will.
    if (this.headersSeen) this.fail(reason);
    this.abortCall?.(reason as Error);
  }

  // ---------------------------------------------------------------- undici's side (legacy handler interface)
  onConnect(abort: (err?: Error) => void): void {
    if (this.cancelReason !== undefined) {
      abort(this.cancelReason as Error);
      return;
    }
    this.abortCall = abort;
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void): boolean {
    if (statusCode < 200) return true;
    this.statusCode = statusCode;
    this.rawHeaders = rawHeaders;
    this.resumeSocket = resume;
    this.headersSeen = true;
    this.resolveHeaders(this);
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.done) return true;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    if (this.buffered > this.maxWhole) {
      this.tooLarge();
      return true;
    }
    this.notify();
    // bytes() keeps everything anyway; a chunk-by-chunk reader (or none yet) that is behind pauses the socket.
    if (this.buffered >= HIGH_WATER_MARK && this.reader !== 'whole') {
      this.paused = true;
      return false;
    }
    return true;
  }

  onComplete(): void {
    this.complete = true;
    this.notify();
  }

  onError(err: Error): void {
    if (!this.headersSeen) {
      this.finish();
      this.rejectHeaders(err);
      return;
    }
    this.fail(err);
  }
}
