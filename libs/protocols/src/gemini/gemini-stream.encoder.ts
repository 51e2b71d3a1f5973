/** Internal stream events → Gemini SSE (for the client), §6.4 / §9.8 E: one-line JSON, \r\n\r\n, no [DONE]. */
import type { IrStopReason, IrStreamError, IrStreamEvent } from '../core/ir.types';
import { idBase } from '../core/ids.util';
import { reasoningSlotValue, thinkingStateOf } from '../core/reasoning-carrier.util';
import { encodeSseEvent } from '../core/sse-encoder';
import type { StreamEncoder } from '../core/stream.types';
import { toGeminiFinish } from '../core/stop-reason.map';
import { parseToolArgumentsLenient } from '../core/tool-args.util';
import { usageToGemini } from '../core/usage.map';
import { geminiStatusName } from '../errors/error-types.map';
import type { ConvertContext, Usage } from '../protocol.types';
import type { GeminiGenerateContentResponse, GeminiPart } from './gemini.types';
import { geminiGrounding } from './gemini-response.encoder';
import type { IrCitation, IrWebSearch } from '../core/ir.types';

interface BufferedCall {
  id: string;
  name: string;
  args: string;
  thoughtSignature?: string;
  emitted: boolean;
}

export class GeminiStreamEncoder implements StreamEncoder {
  private closed = false;
  private usage: Usage | null = null;
  private stop: IrStopReason | null = null;
  private thinkingText = '';
  /** the gateway's web search and the answer's text and citations, for the last chunk's grounding metadata */
  private search: IrWebSearch | null = null;
  private text = '';
  private citations: readonly IrCitation[] = [];
  private readonly calls = new Map<number, BufferedCall>();
  private readonly responseId: string;

  constructor(private readonly ctx: ConvertContext) {
    this.responseId = idBase(ctx);
  }

  encode(ev: IrStreamEvent): string {
    if (this.closed) return '';
    switch (ev.type) {
      case 'text_delta':
        if (this.search) this.text += ev.text;
        return this.chunk([{ text: ev.text }]);
      case 'web_search':
        this.search = ev.search;
        return '';
      case 'citations':
        this.citations = ev.citations;
        return '';
      case 'thinking_delta':
        this.thinkingText += ev.text;
        return this.chunk([{ text: ev.text, thought: true }]);
      case 'thinking_end': {
        const sig = reasoningSlotValue({ type: 'thinking', text: this.thinkingText, ...thinkingStateOf(ev) }, 'gemini-signature');
        this.thinkingText = '';
        return sig ? this.chunk([{ text: '', thought: true, thoughtSignature: sig }]) : '';
      }
      case 'text_signature':
        return this.chunk([{ text: '', thoughtSignature: ev.thoughtSignature }]);
      case 'tool_call_start': {
        const call: BufferedCall = { id: ev.id, name: ev.name, args: '', emitted: false };
        if (ev.thoughtSignature) call.thoughtSignature = ev.thoughtSignature;
        this.calls.set(ev.index, call);
        return '';
      }
      case 'tool_call_delta': {
        const call = this.calls.get(ev.index);
        if (call) call.args += ev.arguments; // Gemini clients get whole calls only (§10.2)
        return '';
      }
      case 'tool_call_end': {
        const call = this.calls.get(ev.index);
        return call && !call.emitted ? this.chunk([this.callPart(call)]) : '';
      }
      case 'usage':
        this.usage = ev.usage;
        return '';
      case 'finish':
        this.stop = ev.reason;
        return '';
      default:
        return '';
    }
  }

  end(): string {
    if (this.closed) return '';
    const pending: GeminiPart[] = [];
    for (const call of this.calls.values()) if (!call.emitted) pending.push(this.callPart(call));
    this.closed = true;
    const final: GeminiGenerateContentResponse = {
      candidates: [
        {
          content: { role: 'model', parts: pending.length > 0 ? pending : [{ text: '' }] },
          finishReason: toGeminiFinish(this.stop ?? 'stop'),
          index: 0,
        },
      ],
      modelVersion: this.ctx.requestedModel,
      responseId: this.responseId,
    };
    if (this.search) final.candidates[0].groundingMetadata = geminiGrounding(this.search, this.citations, this.text);
    if (this.usage) final.usageMetadata = usageToGemini(this.usage);
    return encodeSseEvent('gemini', final);
  }

  abort(error: IrStreamError): string {
    if (this.closed) return '';
    this.closed = true;
    return encodeSseEvent('gemini', {
      error: { code: error.status, message: error.message, status: geminiStatusName(error.status, error.type, error.code) },
    });
  }

  private callPart(call: BufferedCall): GeminiPart {
    call.emitted = true;
    const part: GeminiPart = { functionCall: { name: call.name, args: parseToolArgumentsLenient(call.args), id: call.id } };
    if (call.thoughtSignature) part.thoughtSignature = call.thoughtSignature;
    return part;
  }

  private chunk(parts: GeminiPart[]): string {
    const body: GeminiGenerateContentResponse = {
      candidates: [{ content: { role: 'model', parts }, index: 0 }],
      modelVersion: this.ctx.requestedModel,
      responseId: this.responseId,
    };
    return encodeSseEvent('gemini', body);
  }
}
