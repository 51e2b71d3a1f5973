import { anthropicErrorType, CONVERSE_STREAM_EXCEPTIONS } from '@switchboard/protocols';
import { AwsEventStreamError, AwsEventStreamReader, sseEventOf, type AwsEventMessage } from '../aws/event-stream.reader';
import type { StreamFramer } from '../provider.types';

/** Frames that say the transport broke (bad CRC, cut mid-frame), as opposed to Bedrock reporting an error. */
const BROKEN_TRANSPORT = new Set(['invalidFrame', 'truncatedFrame']);

/**
 * Bedrock's binary event stream as the SSE text a decoder reads. ConverseStream: one event per frame, named by its
 * `:event-type`, its payload as data. InvokeModel with an Anthropic body: each `chunk` frame's base64 `bytes` is one
 * Anthropic stream event, written as Anthropic's own SSE (so an Anthropic client gets it byte-compatible).
 * An exception frame before anything was produced throws (the attempt fails over); after, it becomes the protocol's
 * error event, which reaches the client as an in-stream error in its own protocol.
 */
export class BedrockStreamFramer implements StreamFramer {
  private readonly reader = new AwsEventStreamReader();
  private produced = false;
  private failed = false;

  constructor(private readonly protocol: 'anthropic' | 'bedrock-converse') {}

  push(chunk: Uint8Array): string {
    return this.failed ? '' : this.frames(() => this.reader.push(chunk));
  }

  end(): string {
    // An exception frame that came after messages of the last read is thrown here (the reader returns those first).
    return this.failed
      ? ''
      : this.frames(() => {
          this.reader.end();
          return [];
        });
  }

  private frames(read: () => AwsEventMessage[]): string {
    let messages: AwsEventMessage[] = [];
    let failure: AwsEventStreamError | undefined;
    try {
      messages = read();
    } catch (e) {
      if (!(e instanceof AwsEventStreamError)) throw e;
      failure = e;
    }
    let out = '';
    for (const m of messages) out += this.event(m);
    if (failure) {
      if (BROKEN_TRANSPORT.has(failure.code) || (!this.produced && !out)) throw failure;
      this.failed = true;
      out += this.errorEvent(failure);
    }
    if (out) this.produced = true;
    return out;
  }

  private event(m: AwsEventMessage): string {
    const type = m.headers[':event-type'] ?? '';
    if (this.protocol === 'bedrock-converse') return sseEventOf(type, m.payload);
    if (type !== 'chunk') return '';
    let event: Record<string, unknown>;
    try {
      const bytes = (JSON.parse(m.payload) as { bytes?: unknown }).bytes;
      event = JSON.parse(Buffer.from(typeof bytes === 'string' ? bytes : '', 'base64').toString('utf8')) as Record<string, unknown>;
    } catch {
      throw new AwsEventStreamError('an InvokeModel stream chunk that is not base64 JSON', 'invalidFrame');
    }
    // Keep-alives carry no type (Anthropic's Bedrock SDK drops them too).
    if (!event || typeof event.type !== 'string') return '';
    // Bedrock's own metrics ride on message_stop; Anthropic's stream has no such field.
    delete event['amazon-bedrock-invocationMetrics'];
    return sseEventOf(event.type, JSON.stringify(event));
  }

  private errorEvent(e: AwsEventStreamError): string {
    // An unmodeled `error` frame (`:error-code` InternalFailure…) is reported as the service's internal error.
    const name = e.code in CONVERSE_STREAM_EXCEPTIONS ? e.code : 'internalServerException';
    if (this.protocol === 'bedrock-converse') return sseEventOf(name, JSON.stringify({ message: e.message }));
    const status = CONVERSE_STREAM_EXCEPTIONS[e.code] ?? 500;
    return sseEventOf('error', JSON.stringify({ type: 'error', error: { type: anthropicErrorType(status), message: e.message } }));
  }
}
