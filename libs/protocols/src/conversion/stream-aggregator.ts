/**
 * createStreamAggregator: an upstream stream (SSE text of protocol `from`) → one non-stream response in the IR, for a
 * client that did not ask for a stream from an upstream that only streams (Kiro), or that a plugin chose to stream
 * (stream-fake). The caller encodes the result in the client's protocol (encodeResponse).
 */
import type { IrPart, IrResponse, IrStopReason, IrStreamError, IrStreamEvent } from '../core/ir.types';
import { SseParser } from '../core/sse-parser';
import type { StreamDecoder } from '../core/stream.types';
import type { ConvertContext, Usage, WireProtocol } from '../protocol.types';
import { createStreamDecoder } from './stream-codecs';

export interface StreamAggregator {
  /** Raw upstream SSE text, any split. Throws SseEventTooLargeError when one event outgrows the bound. */
  push(text: string): void;
  /** The upstream closed: the response, or null when the stream failed (then `error` says why). */
  end(): IrResponse | null;
  /** The upstream's in-stream error (or an empty stream): the answer must not be sent as a success. */
  readonly error: IrStreamError | null;
  /** Usage the upstream reported, null if none (the caller counts tokens then). */
  readonly usage: Usage | null;
  /** Text, reasoning and tool-call arguments received (for the tokenizer fallback). */
  readonly outputText: string;
}

const EMPTY_STREAM: IrStreamError = { status: 502, message: 'The upstream closed the stream without sending any event' };

/** IR stream events → one IrResponse: deltas joined into parts in the order they opened. */
export class IrResponseBuilder {
  readonly parts: IrPart[] = [];
  usage: Usage | null = null;
  error: IrStreamError | null = null;
  outputText = '';
  sawEvent = false;
  done = false;
  private id: string | undefined;
  private model: string | undefined;
  private created: number | undefined;
  private stopReason: IrStopReason | null = null;
  private stopSequence: string | null = null;
  private text: Extract<IrPart, { type: 'text' }> | null = null;
  private thinking: Extract<IrPart, { type: 'thinking' }> | null = null;
  private readonly tools = new Map<number, Extract<IrPart, { type: 'tool_call' }>>();

  add(ev: IrStreamEvent): void {
    if (this.done || this.error) return;
    this.sawEvent = true;
    switch (ev.type) {
      case 'start':
        this.id ??= ev.id;
        this.model ??= ev.model;
        this.created ??= ev.created;
        break;
      case 'text_delta':
        this.thinking = null;
        if (!this.text) {
          this.text = { type: 'text', text: '' };
          this.parts.push(this.text);
        }
        this.text.text += ev.text;
        this.outputText += ev.text;
        break;
      case 'text_signature':
        if (this.text) this.text.thoughtSignature = ev.thoughtSignature;
        break;
      case 'thinking_delta':
        this.text = null;
        if (!this.thinking) {
          this.thinking = { type: 'thinking', text: '' };
          this.parts.push(this.thinking);
        }
        this.thinking.text += ev.text;
        this.outputText += ev.text;
        break;
      case 'thinking_end': {
        const { type: _t, ...opaque } = ev;
        if (this.thinking) Object.assign(this.thinking, opaque);
        else this.parts.push({ type: 'thinking', text: '', ...opaque });
        this.thinking = null;
        break;
      }
      case 'tool_call_start': {
        this.text = null;
        this.thinking = null;
        const part: Extract<IrPart, { type: 'tool_call' }> = { type: 'tool_call', id: ev.id, name: ev.name, arguments: '' };
        if (ev.thoughtSignature) part.thoughtSignature = ev.thoughtSignature;
        this.tools.set(ev.index, part);
        this.parts.push(part);
        break;
      }
      case 'tool_call_delta': {
        const part = this.tools.get(ev.index);
        if (part) part.arguments += ev.arguments;
        this.outputText += ev.arguments;
        break;
      }
      case 'tool_call_end':
        break;
      case 'usage':
        this.usage = ev.usage;
        break;
      case 'finish':
        this.stopReason = ev.reason;
        this.stopSequence = ev.stopSequence ?? null;
        break;
      case 'error':
        this.error = ev.error;
        break;
      case 'done':
        this.done = true;
        break;
    }
  }

  build(): IrResponse {
    for (const t of this.tools.values()) if (!t.arguments) t.arguments = '{}';
    const hasTool = this.parts.some((p) => p.type === 'tool_call');
    const res: IrResponse = {
      parts: this.parts,
      stopReason: this.stopReason ?? (hasTool ? 'tool_calls' : 'stop'),
      stopSequence: this.stopSequence,
      usage: this.usage,
    };
    if (this.id) res.id = this.id;
    if (this.model) res.model = this.model;
    if (this.created) res.created = this.created;
    return res;
  }
}

class Aggregator implements StreamAggregator {
  private readonly parser: SseParser;
  private readonly builder = new IrResponseBuilder();

  constructor(
    private readonly decoder: StreamDecoder,
    maxEventChars: number | undefined,
  ) {
    this.parser = new SseParser(false, maxEventChars);
  }

  get error(): IrStreamError | null {
    return this.builder.error;
  }
  get usage(): Usage | null {
    return this.builder.usage;
  }
  get outputText(): string {
    return this.builder.outputText;
  }

  push(text: string): void {
    for (const ev of this.parser.push(text)) this.feed(this.decoder.decode(ev));
  }

  end(): IrResponse | null {
    for (const ev of this.parser.flush()) this.feed(this.decoder.decode(ev));
    this.feed(this.decoder.finish());
    if (!this.builder.sawEvent && !this.builder.error) this.builder.error = EMPTY_STREAM;
    return this.builder.error ? null : this.builder.build();
  }

  private feed(events: IrStreamEvent[]): void {
    for (const ev of events) this.builder.add(ev);
  }
}

/** `maxEventChars`: the longest unfinished upstream event held back (SseParser); push() throws past it. */
export function createStreamAggregator(from: WireProtocol, ctx: ConvertContext, maxEventChars?: number): StreamAggregator {
  return new Aggregator(createStreamDecoder(from, ctx), maxEventChars);
}
