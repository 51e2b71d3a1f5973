/**
 * Cohere Chat v2 SSE (`event: <type>` + `data: {"type": …}`, then `data: [DONE]`) → internal stream events.
 * Events: message-start, content-start/-delta/-end (text or thinking), tool-plan-delta, tool-call-start/-delta/-end,
 * citation-start/-end (not carried), message-end with `finish_reason`, `usage` and, on a failed generation, `error`.
 */
import type { IrStreamEvent } from '../core/ir.types';
import { asNumber, asObject, asString, isObject, tryParseJson } from '../core/json.util';
import type { SseEvent } from '../core/sse-parser';
import type { StreamDecoder } from '../core/stream.types';
import { fromCohereFinish, usageFromCohere } from './cohere-chat.map';

export class CohereChatStreamDecoder implements StreamDecoder {
  /** content blocks by Cohere's index: which are reasoning (closed with thinking_end) */
  private readonly thinking = new Set<number>();
  /** Cohere's tool-call index → the running index of the IR (and whether it is still open) */
  private readonly tools = new Map<number, { index: number; open: boolean }>();
  private sawToolCall = false;
  private ended = false;

  decode(ev: SseEvent): IrStreamEvent[] {
    const data = tryParseJson(ev.data);
    if (!isObject(data)) return []; // `[DONE]`
    const type = asString(data['type']) ?? ev.event;
    const message = asObject(asObject(data['delta'])?.['message']);
    const index = asNumber(data['index']) ?? 0;
    switch (type) {
      case 'message-start': {
        const id = asString(data['id']);
        return [id ? { type: 'start', id } : { type: 'start' }];
      }
      case 'content-start': {
        const content = asObject(message?.['content']);
        if (content?.['type'] === 'thinking') this.thinking.add(index);
        return this.content(content, index);
      }
      case 'content-delta':
        return this.content(asObject(message?.['content']), index);
      case 'content-end':
        return this.thinking.delete(index) ? [{ type: 'thinking_end' }] : [];
      case 'tool-plan-delta': {
        const plan = asString(message?.['tool_plan']);
        return plan ? [{ type: 'text_delta', text: plan }] : [];
      }
      case 'tool-call-start': {
        const call = asObject(message?.['tool_calls']) ?? {};
        const fn = asObject(call['function']) ?? {};
        const slot = { index: this.tools.size, open: true };
        this.tools.set(index, slot);
        this.sawToolCall = true;
        const out: IrStreamEvent[] = [
          { type: 'tool_call_start', index: slot.index, id: asString(call['id']) ?? `call_${slot.index}`, name: asString(fn['name']) ?? '' },
        ];
        const args = asString(fn['arguments']);
        if (args) out.push({ type: 'tool_call_delta', index: slot.index, arguments: args });
        return out;
      }
      case 'tool-call-delta': {
        const slot = this.tools.get(index);
        const args = asString(asObject(asObject(message?.['tool_calls'])?.['function'])?.['arguments']);
        return slot && args ? [{ type: 'tool_call_delta', index: slot.index, arguments: args }] : [];
      }
      case 'tool-call-end':
        return this.closeTool(index);
      case 'message-end':
        return this.end(asObject(data['delta']) ?? {});
      default:
        return []; // citations, debug, unknown
    }
  }

  finish(): IrStreamEvent[] {
    const out: IrStreamEvent[] = [];
    for (let open = this.thinking.size; open > 0; open--) out.push({ type: 'thinking_end' });
    this.thinking.clear();
    for (const k of this.tools.keys()) out.push(...this.closeTool(k));
    return out;
  }

  private content(content: Record<string, unknown> | undefined, index: number): IrStreamEvent[] {
    if (!content) return [];
    const thinking = asString(content['thinking']);
    if (thinking) {
      this.thinking.add(index);
      return [{ type: 'thinking_delta', text: thinking }];
    }
    const text = asString(content['text']);
    return text ? [{ type: 'text_delta', text }] : [];
  }

  private closeTool(index: number): IrStreamEvent[] {
    const slot = this.tools.get(index);
    if (!slot?.open) return [];
    slot.open = false;
    return [{ type: 'tool_call_end', index: slot.index }];
  }

  /** message-end: usage, then the finish, or the error a failed generation reports instead. */
  private end(delta: Record<string, unknown>): IrStreamEvent[] {
    if (this.ended) return [];
    this.ended = true;
    const out = this.finish();
    const usage = usageFromCohere(delta['usage']);
    if (usage) out.push({ type: 'usage', usage });
    const reason = asString(delta['finish_reason']);
    const error = asString(delta['error']);
    if (error || reason === 'ERROR' || reason === 'TIMEOUT') {
      const message = error ?? (reason === 'TIMEOUT' ? 'The generation exceeded the allowed time' : 'The generation failed');
      out.push({ type: 'error', error: { status: reason === 'TIMEOUT' ? 504 : 500, message } });
      return out;
    }
    out.push({ type: 'finish', reason: fromCohereFinish(reason, this.sawToolCall) }, { type: 'done' });
    return out;
  }
}
