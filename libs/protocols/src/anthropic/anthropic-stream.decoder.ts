/** Anthropic Messages SSE (upstream) → internal stream events (§5.4, §9.8 A). */
import type { IrStreamEvent } from '../core/ir.types';
import { decodeToolCallId } from '../core/ids.util';
import { asNumber, asObject, asString, isObject, tryParseJson, type JsonObject } from '../core/json.util';
import { applyReasoningSlot, thinkingStateOf } from '../core/reasoning-carrier.util';
import type { SseEvent } from '../core/sse-parser';
import type { StreamDecoder } from '../core/stream.types';
import { fromAnthropicStop } from '../core/stop-reason.map';
import { usageFromAnthropic } from '../core/usage.map';
import { httpStatusForAnthropicType } from '../errors/error-types.map';

type BlockState =
  { kind: 'text' } | { kind: 'thinking'; signature: string } | { kind: 'tool'; index: number; sawArgs: boolean; initialInput: string } | { kind: 'ignored' };

export class AnthropicStreamDecoder implements StreamDecoder {
  private readonly blocks = new Map<number, BlockState>();
  private nextTool = 0;
  private usageRaw: JsonObject = {};

  decode(ev: SseEvent): IrStreamEvent[] {
    const data = tryParseJson(ev.data);
    if (!isObject(data)) return [];
    const type = asString(data['type']) ?? ev.event;
    const out: IrStreamEvent[] = [];
    switch (type) {
      case 'message_start': {
        const msg = asObject(data['message']) ?? {};
        const start: IrStreamEvent = { type: 'start' };
        const id = asString(msg['id']);
        if (id) start.id = id;
        const model = asString(msg['model']);
        if (model) start.model = model;
        out.push(start);
        const u = asObject(msg['usage']);
        if (u) {
          this.usageRaw = { ...u };
          out.push({ type: 'usage', usage: usageFromAnthropic(this.usageRaw)!, partial: true });
        }
        break;
      }
      case 'content_block_start': {
        const index = asNumber(data['index']) ?? this.blocks.size;
        const block = asObject(data['content_block']) ?? {};
        switch (block['type']) {
          case 'text': {
            this.blocks.set(index, { kind: 'text' });
            const text = asString(block['text']);
            if (text) out.push({ type: 'text_delta', text });
            break;
          }
          case 'thinking': {
            this.blocks.set(index, { kind: 'thinking', signature: asString(block['signature']) ?? '' });
            const text = asString(block['thinking']);
            if (text) out.push({ type: 'thinking_delta', text });
            break;
          }
          case 'redacted_thinking': {
            this.blocks.set(index, { kind: 'ignored' });
            const redacted = asString(block['data']);
            if (redacted) out.push({ type: 'thinking_end', redactedData: redacted });
            break;
          }
          case 'tool_use': {
            const toolIndex = this.nextTool++; // running counter, not block index − 1 (§9.8 A2)
            const input = block['input'];
            this.blocks.set(index, {
              kind: 'tool',
              index: toolIndex,
              sawArgs: false,
              initialInput: isObject(input) && Object.keys(input).length > 0 ? JSON.stringify(input) : '',
            });
            const decoded = decodeToolCallId(asString(block['id']) ?? `toolu_${toolIndex}`);
            const start: IrStreamEvent = { type: 'tool_call_start', index: toolIndex, id: decoded.id, name: asString(block['name']) ?? '' };
            if (decoded.thoughtSignature) start.thoughtSignature = decoded.thoughtSignature;
            out.push(start);
            break;
          }
          default:
            this.blocks.set(index, { kind: 'ignored' }); // server tools, search results
        }
        break;
      }
      case 'content_block_delta': {
        const state = this.blocks.get(asNumber(data['index']) ?? -1);
        const delta = asObject(data['delta']) ?? {};
        if (!state) break;
        if (delta['type'] === 'text_delta' && state.kind === 'text') {
          const text = asString(delta['text']);
          if (text) out.push({ type: 'text_delta', text });
        } else if (delta['type'] === 'thinking_delta' && state.kind === 'thinking') {
          const text = asString(delta['thinking']);
          if (text) out.push({ type: 'thinking_delta', text });
        } else if (delta['type'] === 'signature_delta' && state.kind === 'thinking') {
          state.signature += asString(delta['signature']) ?? '';
        } else if (delta['type'] === 'input_json_delta' && state.kind === 'tool') {
          const partial = asString(delta['partial_json']);
          if (partial) {
            state.sawArgs = true;
            out.push({ type: 'tool_call_delta', index: state.index, arguments: partial });
          }
        }
        break;
      }
      case 'content_block_stop': {
        const index = asNumber(data['index']) ?? -1;
        const state = this.blocks.get(index);
        if (state) out.push(...this.closeBlock(state));
        this.blocks.set(index, { kind: 'ignored' });
        break;
      }
      case 'message_delta': {
        const u = asObject(data['usage']);
        if (u) {
          // Overwrite what is present, back-fill the rest from message_start (Bedrock omits input).
          for (const [k, v] of Object.entries(u)) if (v !== null && v !== undefined) this.usageRaw[k] = v;
          out.push({ type: 'usage', usage: usageFromAnthropic(this.usageRaw)! });
        }
        const d = asObject(data['delta']) ?? {};
        const stop = asString(d['stop_reason']);
        if (stop) out.push({ type: 'finish', reason: fromAnthropicStop(stop), stopSequence: asString(d['stop_sequence']) ?? null });
        break;
      }
      case 'message_stop':
        out.push(...this.finish(), { type: 'done' });
        break;
      case 'error': {
        const e = asObject(data['error']) ?? {};
        const errType = asString(e['type']) ?? 'api_error';
        out.push({
          type: 'error',
          error: { status: httpStatusForAnthropicType(errType) ?? 500, message: asString(e['message']) ?? 'Upstream stream error', type: errType },
        });
        break;
      }
      default:
        break; // ping and unknown events
    }
    return out;
  }

  finish(): IrStreamEvent[] {
    const out: IrStreamEvent[] = [];
    for (const [index, state] of this.blocks) {
      out.push(...this.closeBlock(state));
      this.blocks.set(index, { kind: 'ignored' });
    }
    return out;
  }

  private closeBlock(state: BlockState): IrStreamEvent[] {
    if (state.kind === 'thinking') {
      const restored = applyReasoningSlot({ type: 'thinking', text: '' }, 'anthropic-signature', state.signature || undefined);
      return [{ type: 'thinking_end', ...thinkingStateOf(restored) }];
    }
    if (state.kind === 'tool') {
      const out: IrStreamEvent[] = [];
      // A tool with no arguments streams one empty partial_json: deliver "{}" (§10.2).
      if (!state.sawArgs) out.push({ type: 'tool_call_delta', index: state.index, arguments: state.initialInput || '{}' });
      out.push({ type: 'tool_call_end', index: state.index });
      return out;
    }
    return [];
  }
}
