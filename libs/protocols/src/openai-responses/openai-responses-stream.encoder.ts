/** Internal stream events → OpenAI Responses SSE (for the client), §3.3 / §9.8 F. */
import type { IrStopReason, IrStreamError, IrStreamEvent } from '../core/ir.types';
import { createdAt, encodeToolCallId, idBase } from '../core/ids.util';
import { reasoningSlotValue, thinkingStateOf } from '../core/reasoning-carrier.util';
import { encodeSseEvent } from '../core/sse-encoder';
import type { StreamEncoder } from '../core/stream.types';
import { toResponsesStatus } from '../core/stop-reason.map';
import { openAiErrorCode, openAiErrorType } from '../errors/error-types.map';
import type { ConvertContext, Usage } from '../protocol.types';
import { responsesEnvelope, responsesUrlCitations, responsesWebSearchItem } from './openai-responses-response.encoder';
import type {
  ResponsesFunctionCallItem,
  ResponsesMessageItem,
  ResponsesOutputItem,
  ResponsesReasoningItem,
  ResponsesUrlCitation,
} from './openai-responses.types';

interface OpenText {
  outputIndex: number;
  id: string;
  text: string;
  annotations?: ResponsesUrlCitation[];
}

interface ToolItem {
  outputIndex: number;
  item: ResponsesFunctionCallItem;
  ended: boolean;
}

export class ResponsesStreamEncoder implements StreamEncoder {
  private seq = 0;
  private started = false;
  private closed = false;
  private readonly created: number;
  private readonly base: string;
  private n = 0;
  private readonly output: ResponsesOutputItem[] = [];
  private message: OpenText | null = null;
  private reasoning: OpenText | null = null;
  private readonly tools = new Map<number, ToolItem>();
  private usage: Usage | null = null;
  private stop: IrStopReason | null = null;

  constructor(private readonly ctx: ConvertContext) {
    this.created = createdAt(ctx);
    this.base = idBase(ctx);
  }

  encode(ev: IrStreamEvent): string {
    if (this.closed) return '';
    switch (ev.type) {
      case 'start':
        return this.ensureStarted();
      case 'web_search': {
        const out = this.ensureStarted() + this.closeMessage() + this.closeReasoning(undefined);
        const outputIndex = this.nextIndex();
        const item = responsesWebSearchItem(ev.search, 'completed');
        this.output[outputIndex] = item;
        return (
          out +
          this.emit({ type: 'response.output_item.added', output_index: outputIndex, item: { ...item, status: 'in_progress' } }) +
          this.emit({ type: 'response.web_search_call.completed', item_id: item.id, output_index: outputIndex }) +
          this.emit({ type: 'response.output_item.done', output_index: outputIndex, item })
        );
      }
      case 'citations': {
        const m = this.message;
        if (!m) return '';
        let out = '';
        for (const annotation of responsesUrlCitations(ev.citations)) {
          const annotationIndex = (m.annotations ??= []).push(annotation) - 1;
          out += this.emit({
            type: 'response.output_text.annotation.added',
            item_id: m.id,
            output_index: m.outputIndex,
            content_index: 0,
            annotation_index: annotationIndex,
            annotation,
          });
        }
        return out;
      }
      case 'text_delta': {
        let out = this.ensureStarted() + this.closeReasoning(undefined);
        if (!this.message) out += this.openMessage();
        const m = this.message!;
        m.text += ev.text;
        return (
          out + this.emit({ type: 'response.output_text.delta', item_id: m.id, output_index: m.outputIndex, content_index: 0, delta: ev.text, logprobs: [] })
        );
      }
      case 'thinking_delta': {
        let out = this.ensureStarted() + this.closeMessage();
        if (!this.reasoning) out += this.openReasoning();
        const r = this.reasoning!;
        r.text += ev.text;
        return out + this.emit({ type: 'response.reasoning_summary_text.delta', item_id: r.id, output_index: r.outputIndex, summary_index: 0, delta: ev.text });
      }
      case 'thinking_end': {
        let out = this.ensureStarted();
        const state = thinkingStateOf(ev);
        if (this.reasoning) return out + this.closeReasoning(state);
        if (Object.keys(state).length === 0) return out;
        out += this.closeMessage() + this.openReasoning();
        return out + this.closeReasoning(state);
      }
      case 'tool_call_start': {
        let out = this.ensureStarted() + this.closeMessage() + this.closeReasoning(undefined);
        const outputIndex = this.nextIndex();
        const item: ResponsesFunctionCallItem = {
          id: `fc_${this.base}_${outputIndex}`,
          type: 'function_call',
          status: 'in_progress',
          call_id: encodeToolCallId(ev.id, ev.thoughtSignature),
          name: ev.name,
          arguments: '',
        };
        this.tools.set(ev.index, { outputIndex, item, ended: false });
        this.output[outputIndex] = item;
        out += this.emit({ type: 'response.output_item.added', output_index: outputIndex, item: { ...item } });
        return out;
      }
      case 'tool_call_delta': {
        const t = this.tools.get(ev.index);
        if (!t || t.ended) return '';
        t.item.arguments += ev.arguments;
        return this.emit({ type: 'response.function_call_arguments.delta', item_id: t.item.id, output_index: t.outputIndex, delta: ev.arguments });
      }
      case 'tool_call_end': {
        const t = this.tools.get(ev.index);
        return t ? this.endTool(t) : '';
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
    let out = this.ensureStarted() + this.closeMessage() + this.closeReasoning(undefined);
    for (const t of this.tools.values()) out += this.endTool(t);
    const stop = this.stop ?? 'stop';
    const status = toResponsesStatus(stop).status;
    const response = responsesEnvelope(this.ctx, this.output.filter(Boolean), stop, this.usage, this.created);
    out += this.emit({ type: status === 'completed' ? 'response.completed' : 'response.incomplete', response });
    this.closed = true;
    return out;
  }

  abort(error: IrStreamError): string {
    if (this.closed) return '';
    const code = openAiErrorCode(error.status, error.type, error.code) ?? 'server_error';
    let out = this.emit({
      type: 'error',
      error: { type: openAiErrorType(error.status, error.type, error.code), code, message: error.message, param: null },
    });
    const response = {
      ...responsesEnvelope(this.ctx, this.output.filter(Boolean), null, this.usage, this.created),
      status: 'failed' as const,
      error: { code, message: error.message },
    };
    out += this.emit({ type: 'response.failed', response });
    this.closed = true;
    return out;
  }

  private emit(data: Record<string, unknown>): string {
    return encodeSseEvent('openai-responses', { ...data, sequence_number: this.seq++ });
  }

  private nextIndex(): number {
    return this.n++;
  }

  private ensureStarted(): string {
    if (this.started) return '';
    this.started = true;
    const response = responsesEnvelope(this.ctx, [], null, null, this.created);
    return this.emit({ type: 'response.created', response }) + this.emit({ type: 'response.in_progress', response });
  }

  private openMessage(): string {
    const outputIndex = this.nextIndex();
    const id = `msg_${this.base}_${outputIndex}`;
    this.message = { outputIndex, id, text: '' };
    return (
      this.emit({
        type: 'response.output_item.added',
        output_index: outputIndex,
        item: { id, type: 'message', status: 'in_progress', content: [], role: 'assistant' },
      }) +
      this.emit({
        type: 'response.content_part.added',
        item_id: id,
        output_index: outputIndex,
        content_index: 0,
        part: { type: 'output_text', annotations: [], logprobs: [], text: '' },
      })
    );
  }

  private closeMessage(): string {
    const m = this.message;
    if (!m) return '';
    this.message = null;
    const part = { type: 'output_text' as const, annotations: m.annotations ?? [], logprobs: [], text: m.text };
    const item: ResponsesMessageItem = { id: m.id, type: 'message', role: 'assistant', status: 'completed', content: [part] };
    this.output[m.outputIndex] = item;
    return (
      this.emit({ type: 'response.output_text.done', item_id: m.id, output_index: m.outputIndex, content_index: 0, text: m.text, logprobs: [] }) +
      this.emit({ type: 'response.content_part.done', item_id: m.id, output_index: m.outputIndex, content_index: 0, part }) +
      this.emit({ type: 'response.output_item.done', output_index: m.outputIndex, item })
    );
  }

  private openReasoning(): string {
    const outputIndex = this.nextIndex();
    const id = `rs_${this.base}_${outputIndex}`;
    this.reasoning = { outputIndex, id, text: '' };
    return (
      this.emit({ type: 'response.output_item.added', output_index: outputIndex, item: { id, type: 'reasoning', summary: [] } }) +
      this.emit({
        type: 'response.reasoning_summary_part.added',
        item_id: id,
        output_index: outputIndex,
        summary_index: 0,
        part: { type: 'summary_text', text: '' },
      })
    );
  }

  private closeReasoning(state: ReturnType<typeof thinkingStateOf> | undefined): string {
    const r = this.reasoning;
    if (!r) return '';
    this.reasoning = null;
    const enc = state ? reasoningSlotValue({ type: 'thinking', text: r.text, ...state }, 'responses-encrypted') : undefined;
    const item: ResponsesReasoningItem = {
      id: r.id,
      type: 'reasoning',
      summary: r.text ? [{ type: 'summary_text', text: r.text }] : [],
      encrypted_content: enc ?? null,
    };
    this.output[r.outputIndex] = item;
    return (
      this.emit({ type: 'response.reasoning_summary_text.done', item_id: r.id, output_index: r.outputIndex, summary_index: 0, text: r.text }) +
      this.emit({
        type: 'response.reasoning_summary_part.done',
        item_id: r.id,
        output_index: r.outputIndex,
        summary_index: 0,
        part: { type: 'summary_text', text: r.text },
      }) +
      this.emit({ type: 'response.output_item.done', output_index: r.outputIndex, item })
    );
  }

  private endTool(t: ToolItem): string {
    if (t.ended) return '';
    t.ended = true;
    if (!t.item.arguments) t.item.arguments = '{}';
    t.item.status = 'completed';
    return (
      this.emit({ type: 'response.function_call_arguments.done', item_id: t.item.id, output_index: t.outputIndex, arguments: t.item.arguments }) +
      this.emit({ type: 'response.output_item.done', output_index: t.outputIndex, item: { ...t.item } })
    );
  }
}
