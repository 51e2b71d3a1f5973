/** OpenAI Responses SSE (upstream) → internal stream events (§3.3). */
import type { IrStreamEvent } from '../core/ir.types';
import { decodeToolCallId } from '../core/ids.util';
import { asNumber, asObject, asString, isObject, tryParseJson, type JsonObject } from '../core/json.util';
import { thinkingStateOf } from '../core/reasoning-carrier.util';
import type { SseEvent } from '../core/sse-parser';
import type { StreamDecoder } from '../core/stream.types';
import { fromResponsesStatus } from '../core/stop-reason.map';
import { usageFromResponses } from '../core/usage.map';
import { reasoningPart } from './openai-responses-response.decoder';

interface ToolState {
  index: number;
  sawArgs: boolean;
  ended: boolean;
}

export class ResponsesStreamDecoder implements StreamDecoder {
  private started = false;
  private terminal = false;
  private nextTool = 0;
  private sawFunctionCall = false;
  private readonly tools = new Map<string, ToolState>();
  private readonly reasoning = new Map<string, { deltas: boolean; summaryIndex: number }>();
  /** Last upstream sequence_number (a pass-through error must continue the sequence). */
  lastSequenceNumber = -1;
  responseId: string | undefined;

  decode(ev: SseEvent): IrStreamEvent[] {
    const data = tryParseJson(ev.data);
    if (!isObject(data)) return [];
    const seq = asNumber(data['sequence_number']);
    if (seq !== undefined) this.lastSequenceNumber = seq;
    const type = asString(data['type']) ?? ev.event ?? '';
    const out: IrStreamEvent[] = [];
    const itemKey = (): string => asString(data['item_id']) ?? `#${asNumber(data['output_index']) ?? 0}`;

    switch (type) {
      case 'response.created':
      case 'response.in_progress': {
        if (this.started) break;
        this.started = true;
        const r = asObject(data['response']) ?? {};
        const start: IrStreamEvent = { type: 'start' };
        const id = asString(r['id']);
        if (id) {
          start.id = id;
          this.responseId = id;
        }
        const model = asString(r['model']);
        if (model) start.model = model;
        const created = asNumber(r['created_at']);
        if (created !== undefined) start.created = created;
        out.push(start);
        break;
      }
      case 'response.output_item.added': {
        const item = asObject(data['item']) ?? {};
        const key = asString(item['id']) ?? `#${asNumber(data['output_index']) ?? 0}`;
        if (item['type'] === 'function_call') {
          this.sawFunctionCall = true;
          const state: ToolState = { index: this.nextTool++, sawArgs: false, ended: false };
          this.tools.set(key, state);
          this.tools.set(`#${asNumber(data['output_index']) ?? 0}`, state);
          const decoded = decodeToolCallId(asString(item['call_id']) ?? key);
          const start: IrStreamEvent = { type: 'tool_call_start', index: state.index, id: decoded.id, name: asString(item['name']) ?? '' };
          if (decoded.thoughtSignature) start.thoughtSignature = decoded.thoughtSignature;
          out.push(start);
          const args = asString(item['arguments']);
          if (args) {
            state.sawArgs = true;
            out.push({ type: 'tool_call_delta', index: state.index, arguments: args });
          }
        } else if (item['type'] === 'reasoning') {
          this.reasoning.set(key, { deltas: false, summaryIndex: 0 });
        }
        break;
      }
      case 'response.output_text.delta':
      case 'response.refusal.delta': {
        const delta = asString(data['delta']);
        if (delta) out.push({ type: 'text_delta', text: delta });
        break;
      }
      case 'response.reasoning_summary_text.delta':
      case 'response.reasoning_text.delta': {
        const delta = asString(data['delta']);
        const state = this.reasoning.get(itemKey()) ?? { deltas: false, summaryIndex: 0 };
        this.reasoning.set(itemKey(), state);
        const si = asNumber(data['summary_index']) ?? 0;
        if (delta) {
          if (state.deltas && si !== state.summaryIndex) out.push({ type: 'thinking_delta', text: '\n\n' });
          state.summaryIndex = si;
          state.deltas = true;
          out.push({ type: 'thinking_delta', text: delta });
        }
        break;
      }
      case 'response.function_call_arguments.delta': {
        const state = this.tools.get(itemKey());
        const delta = asString(data['delta']);
        if (state && delta) {
          state.sawArgs = true;
          out.push({ type: 'tool_call_delta', index: state.index, arguments: delta });
        }
        break;
      }
      case 'response.function_call_arguments.done': {
        const state = this.tools.get(itemKey());
        const args = asString(data['arguments']);
        if (state && !state.sawArgs && args) {
          state.sawArgs = true;
          out.push({ type: 'tool_call_delta', index: state.index, arguments: args });
        }
        break;
      }
      case 'response.output_item.done': {
        const item = asObject(data['item']) ?? {};
        const key = asString(item['id']) ?? `#${asNumber(data['output_index']) ?? 0}`;
        if (item['type'] === 'function_call') {
          const state = this.tools.get(key);
          if (state && !state.ended) out.push(...this.endTool(state, asString(item['arguments'])));
        } else if (item['type'] === 'reasoning') {
          const part = reasoningPart(item);
          const state = this.reasoning.get(key);
          if (!state?.deltas && part.text) out.push({ type: 'thinking_delta', text: part.text });
          this.reasoning.delete(key);
          out.push({ type: 'thinking_end', ...thinkingStateOf(part) });
        }
        break;
      }
      case 'response.completed':
      case 'response.incomplete': {
        const r = asObject(data['response']) ?? {};
        out.push(...this.finish());
        const usage = usageFromResponses(r['usage']);
        if (usage) out.push({ type: 'usage', usage });
        const reason = fromResponsesStatus(
          asString(r['status']) ?? type.slice('response.'.length),
          asString(asObject(r['incomplete_details'])?.['reason']),
          this.sawFunctionCall,
        );
        out.push({ type: 'finish', reason }, { type: 'done' });
        this.terminal = true;
        break;
      }
      case 'response.failed': {
        if (this.terminal) break;
        const r = asObject(data['response']) ?? {};
        const e = asObject(r['error']) ?? {};
        out.push({ type: 'error', error: errorOf(e) });
        this.terminal = true;
        break;
      }
      case 'error': {
        const e = asObject(data['error']) ?? data;
        out.push({ type: 'error', error: errorOf(e) });
        this.terminal = true;
        break;
      }
      default:
        break;
    }
    return out;
  }

  finish(): IrStreamEvent[] {
    const out: IrStreamEvent[] = [];
    for (const state of new Set(this.tools.values())) if (!state.ended) out.push(...this.endTool(state, undefined));
    for (const key of this.reasoning.keys()) {
      this.reasoning.delete(key);
      out.push({ type: 'thinking_end' });
    }
    return out;
  }

  private endTool(state: ToolState, finalArgs: string | undefined): IrStreamEvent[] {
    state.ended = true;
    const out: IrStreamEvent[] = [];
    if (!state.sawArgs) out.push({ type: 'tool_call_delta', index: state.index, arguments: finalArgs || '{}' });
    out.push({ type: 'tool_call_end', index: state.index });
    return out;
  }
}

function errorOf(e: JsonObject): { status: number; message: string; type?: string; code?: string } {
  const code = asString(e['code']);
  const type = asString(e['type']);
  const status = code === 'insufficient_quota' || code === 'rate_limit_exceeded' || type === 'rate_limit_error' ? 429 : (asNumber(e['status']) ?? 500);
  const out: { status: number; message: string; type?: string; code?: string } = { status, message: asString(e['message']) ?? 'Upstream stream error' };
  if (type) out.type = type;
  if (code) out.code = code;
  return out;
}
