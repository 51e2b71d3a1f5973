/**
 * createStreamTranslator: upstream SSE bytes → client SSE bytes, incrementally.
 * Cross-protocol: SSE parser → upstream StreamDecoder → IR events → client StreamEncoder.
 * Same protocol: a pass-through observer that forwards whole events byte-for-byte.
 */
import type { IrStreamEvent } from '../core/ir.types';
import { SseParser } from '../core/sse-parser';
import { encodeSseEvent } from '../core/sse-encoder';
import type { StreamDecoder, StreamEncoder } from '../core/stream.types';
import { toOpenAiFinish } from '../core/stop-reason.map';
import { anthropicErrorType, geminiStatusName, openAiErrorCode, openAiErrorType } from '../errors/error-types.map';
import { ResponsesStreamDecoder } from '../openai-responses/openai-responses-stream.decoder';
import type { ConvertContext, Usage, WireProtocol } from '../protocol.types';
import { createStreamDecoder, createStreamEncoder } from './stream-codecs';
import { countTextTokens } from '../accounting/token-count.util';
import { flushTransforms, NO_TRANSFORMS, transformEvents, type AnswerTransform } from './answer-transform';

export interface StreamTranslator {
  /**
   * Raw upstream SSE text (any split) → client SSE text, exactly framed for the client protocol ('' if nothing yet).
   * Throws SseEventTooLargeError when one event grows past the bound without ending.
   */
  push(bytes: string): string;
  /** Upstream closed: flush and write the closing frames ([DONE], message_stop, response.completed, final chunk). */
  end(): string;
  /** Upstream failed mid-stream: the client protocol's in-stream error (§7.5); '' once the stream is closed. */
  abort(err: { status: number; message: string; type?: string }): string;
  /** Usage reported by the upstream so far (OpenAI semantics), null if none. */
  readonly usage: Usage | null;
  /** Text, reasoning and tool-call arguments delivered so far (for the tokenizer fallback). */
  readonly outputText: string;
  /** Normalised OpenAI vocabulary: stop | length | tool_calls | content_filter. */
  readonly finishReason: string | null;
  /** The error the upstream sent inside the stream (an error event), if any: the stream did not complete. */
  readonly upstreamError: { status: number; message: string } | null;
}

const EMPTY_STREAM_ERROR = { status: 502, message: 'The upstream closed the stream without sending any event' };

abstract class ObservingStream {
  private reported: Usage | null = null;
  private reportedIsPartial = false;
  outputText = '';
  finishReason: string | null = null;
  upstreamError: { status: number; message: string } | null = null;
  protected terminated = false;
  /** Whether the upstream sent anything meaningful; an empty 200 stream is an upstream failure. */
  protected sawEvent = false;

  /**
   * Usage as reported upstream. When only a placeholder output count was seen (stream cut before
   * Anthropic's message_delta), the output is counted from what was delivered instead.
   */
  get usage(): Usage | null {
    if (!this.reported || !this.reportedIsPartial) return this.reported;
    return { ...this.reported, completionTokens: Math.max(this.reported.completionTokens, countTextTokens(this.outputText)) };
  }

  protected observe(ev: IrStreamEvent): void {
    this.sawEvent = true;
    switch (ev.type) {
      case 'usage':
        this.reported = ev.usage;
        this.reportedIsPartial = ev.partial === true;
        break;
      case 'text_delta':
      case 'thinking_delta':
        this.outputText += ev.text;
        break;
      case 'tool_call_delta':
        this.outputText += ev.arguments;
        break;
      case 'finish':
        this.finishReason = toOpenAiFinish(ev.reason);
        break;
      case 'error':
        this.upstreamError = { status: ev.error.status, message: ev.error.message };
        this.terminated = true;
        break;
      case 'done':
        this.terminated = true;
        break;
      default:
        break;
    }
  }
}

class TranslatingStream extends ObservingStream implements StreamTranslator {
  private readonly parser: SseParser;

  constructor(
    private readonly decoder: StreamDecoder,
    private readonly encoder: StreamEncoder,
    maxEventChars: number | undefined,
    private readonly transforms: readonly AnswerTransform[] = NO_TRANSFORMS,
  ) {
    super();
    this.parser = new SseParser(false, maxEventChars);
  }

  push(bytes: string): string {
    let out = '';
    for (const ev of this.parser.push(bytes)) out += this.feed(this.decoder.decode(ev));
    return out;
  }

  end(): string {
    let out = '';
    for (const ev of this.parser.flush()) out += this.feed(this.decoder.decode(ev));
    out += this.feed(this.decoder.finish());
    if (this.transforms.length && !this.terminated) out += this.feed(flushTransforms(this.transforms), false);
    if (!this.sawEvent) return out + this.abort(EMPTY_STREAM_ERROR);
    return out + this.encoder.end();
  }

  abort(err: { status: number; message: string; type?: string }): string {
    this.terminated = true;
    return this.encoder.abort(
      err.type !== undefined ? { status: err.status, message: err.message, type: err.type } : { status: err.status, message: err.message },
    );
  }

  /**
   * `fromUpstream` false: what the transforms still held at the end, already observed when it came. Accounting reads
   * the upstream's events, not what transforms made of them: the tokenizer fallback counts what the upstream generated
   * (think-split's tags included), as the JSON sink's aggregation does.
   */
  private feed(decoded: IrStreamEvent[], fromUpstream = true): string {
    if (!this.transforms.length) return this.encode(decoded, true);
    if (fromUpstream) for (const ev of decoded) this.observe(ev);
    return this.encode(fromUpstream ? transformEvents(this.transforms, decoded) : decoded, false);
  }

  private encode(events: IrStreamEvent[], observe: boolean): string {
    let out = '';
    for (const ev of events) {
      if (observe) this.observe(ev);
      // Terminal events mean the same to every encoder: close with an in-stream error, or close normally.
      out += ev.type === 'error' ? this.encoder.abort(ev.error) : ev.type === 'done' ? this.encoder.end() : this.encoder.encode(ev);
    }
    return out;
  }
}

class PassthroughStream extends ObservingStream implements StreamTranslator {
  private readonly parser: SseParser;

  constructor(
    private readonly protocol: WireProtocol,
    private readonly decoder: StreamDecoder,
    maxEventChars: number | undefined,
  ) {
    super();
    this.parser = new SseParser(true, maxEventChars);
  }

  push(bytes: string): string {
    for (const ev of this.parser.push(bytes)) for (const e of this.decoder.decode(ev)) this.observe(e);
    return this.parser.takeCommittedRaw();
  }

  end(): string {
    for (const ev of this.parser.flush()) for (const e of this.decoder.decode(ev)) this.observe(e);
    for (const e of this.decoder.finish()) this.observe(e);
    const rest = this.parser.takeCommittedRaw();
    if (!this.sawEvent) return rest + this.abort(EMPTY_STREAM_ERROR);
    return rest;
  }

  /** Only whole events were forwarded, so the error frame always starts on an event boundary. */
  abort(err: { status: number; message: string; type?: string }): string {
    if (this.terminated) return '';
    this.terminated = true;
    return passthroughErrorFrame(this.protocol, err, this.decoder);
  }
}

function passthroughErrorFrame(protocol: WireProtocol, err: { status: number; message: string; type?: string }, decoder: StreamDecoder): string {
  switch (protocol) {
    case 'openai-chat':
    case 'openai-completions':
    case 'openai-embeddings':
      return (
        encodeSseEvent('openai-chat', {
          error: { message: err.message, type: openAiErrorType(err.status, err.type), param: null, code: openAiErrorCode(err.status, err.type) },
        }) + encodeSseEvent('openai-chat', '[DONE]')
      );
    case 'anthropic':
      return encodeSseEvent('anthropic', { type: 'error', error: { type: anthropicErrorType(err.status, err.type), message: err.message } });
    case 'gemini':
      return encodeSseEvent('gemini', { error: { code: err.status, message: err.message, status: geminiStatusName(err.status, err.type) } });
    case 'openai-responses': {
      const d = decoder instanceof ResponsesStreamDecoder ? decoder : undefined;
      const seq = (d?.lastSequenceNumber ?? -1) + 1;
      const code = openAiErrorCode(err.status, err.type) ?? 'server_error';
      return (
        encodeSseEvent('openai-responses', {
          type: 'error',
          sequence_number: seq,
          error: { type: openAiErrorType(err.status, err.type), code, message: err.message, param: null },
        }) +
        encodeSseEvent('openai-responses', {
          type: 'response.failed',
          sequence_number: seq + 1,
          response: { id: d?.responseId ?? null, object: 'response', status: 'failed', output: [], error: { code, message: err.message } },
        })
      );
    }
    default:
      // The other OpenAI families' streams (speech, transcription events) have no [DONE]: an error event ends them.
      return encodeSseEvent(protocol, {
        type: 'error',
        error: { message: err.message, type: openAiErrorType(err.status, err.type), param: null, code: openAiErrorCode(err.status, err.type) },
      });
  }
}

/** `maxEventChars`: the longest unfinished upstream event held back (SseParser); push() throws past it. */
/**
 * `transforms`: changes to the answer over the IR (plugins); with any, a same-protocol stream is decoded and encoded
 * again rather than passed through byte for byte.
 */
export function createStreamTranslator(
  from: WireProtocol,
  to: WireProtocol,
  ctx: ConvertContext,
  maxEventChars?: number,
  transforms: readonly AnswerTransform[] = NO_TRANSFORMS,
): StreamTranslator {
  const decoder = createStreamDecoder(from, ctx);
  if (from === to && !transforms.length) return new PassthroughStream(from, decoder, maxEventChars);
  return new TranslatingStream(decoder, createStreamEncoder(to, ctx), maxEventChars, transforms);
}
