/** OpenAI Chat Completions SSE chunks (upstream) → internal stream events. */
import type { IrStreamEvent } from '../core/ir.types';
import { decodeToolCallId } from '../core/ids.util';
import { asNumber, asObject, asString, isObject, objectsOf, tryParseJson } from '../core/json.util';
import type { SseEvent } from '../core/sse-parser';
import type { StreamDecoder } from '../core/stream.types';
import { fromOpenAiFinish } from '../core/stop-reason.map';
import { usageFromOpenAiChat } from '../core/usage.map';
import { openAiIdentity, openAiStreamError } from '../core/openai-envelope.util';

export class OpenAiChatStreamDecoder implements StreamDecoder {
  private started = false;
  private finished = false;
  private thinkingOpen = false;
  private readonly tools = new Map<number, { index: number; sawArgs: boolean; open: boolean }>();
  private nextTool = 0;

  decode(ev: SseEvent): IrStreamEvent[] {
    const data = ev.data.trim();
    if (data === '[DONE]') return [...this.closeAll(), { type: 'done' }];
    const chunk = tryParseJson(data);
    if (!isObject(chunk)) return [];
    const out: IrStreamEvent[] = [];
    const err = chunk['error'];
    if ((err !== undefined && err !== null) || ev.event === 'error') {
      out.push(openAiStreamError(err));
      return out;
    }
    if (!this.started) {
      this.started = true;
      out.push({ type: 'start', ...openAiIdentity(chunk) });
    }
    const choices = objectsOf(chunk['choices']);
    const choice = choices.find((c) => (asNumber(c['index']) ?? 0) === 0);
    if (choice) {
      const delta = asObject(choice['delta']) ?? {};
      const reasoning = asString(delta['reasoning_content']) ?? asString(delta['reasoning']);
      if (reasoning) {
        this.thinkingOpen = true;
        out.push({ type: 'thinking_delta', text: reasoning });
      }
      for (const b of objectsOf(delta['thinking_blocks'])) {
        const sig = asString(b['signature']);
        if (sig && b['type'] !== 'redacted_thinking') {
          this.thinkingOpen = false;
          out.push({ type: 'thinking_end', signature: sig });
        }
      }
      const content = asString(delta['content']);
      if (content) {
        out.push(...this.closeThinking(), { type: 'text_delta', text: content });
      }
      const refusal = asString(delta['refusal']);
      if (refusal) out.push(...this.closeThinking(), { type: 'text_delta', text: refusal });
      for (const tc of objectsOf(delta['tool_calls'])) out.push(...this.toolDelta(tc));
      const finish = asString(choice['finish_reason']);
      if (finish && !this.finished) {
        this.finished = true;
        out.push(...this.closeAll(), { type: 'finish', reason: fromOpenAiFinish(finish) });
      }
    }
    const usage = usageFromOpenAiChat(chunk['usage']);
    if (usage) out.push({ type: 'usage', usage });
    return out;
  }

  finish(): IrStreamEvent[] {
    return this.closeAll();
  }

  private toolDelta(tc: Record<string, unknown>): IrStreamEvent[] {
    const out: IrStreamEvent[] = [];
    const k = asNumber(tc['index']) ?? 0;
    const fn = asObject(tc['function']) ?? {};
    let state = this.tools.get(k);
    if (!state) {
      out.push(...this.closeThinking());
      state = { index: this.nextTool++, sawArgs: false, open: true };
      this.tools.set(k, state);
      const decoded = decodeToolCallId(asString(tc['id']) ?? `call_${state.index}`);
      const start: IrStreamEvent = { type: 'tool_call_start', index: state.index, id: decoded.id, name: asString(fn['name']) ?? '' };
      if (decoded.thoughtSignature) start.thoughtSignature = decoded.thoughtSignature;
      out.push(start);
    }
    const args = asString(fn['arguments']);
    if (args) {
      state.sawArgs = true;
      out.push({ type: 'tool_call_delta', index: state.index, arguments: args });
    }
    return out;
  }

  private closeThinking(): IrStreamEvent[] {
    if (!this.thinkingOpen) return [];
    this.thinkingOpen = false;
    return [{ type: 'thinking_end' }];
  }

  private closeAll(): IrStreamEvent[] {
    const out = this.closeThinking();
    for (const t of this.tools.values()) {
      if (!t.open) continue;
      t.open = false;
      if (!t.sawArgs) out.push({ type: 'tool_call_delta', index: t.index, arguments: '{}' });
      out.push({ type: 'tool_call_end', index: t.index });
    }
    return out;
  }
}
