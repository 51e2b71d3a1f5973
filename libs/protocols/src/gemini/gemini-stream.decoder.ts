/** Gemini streamGenerateContent?alt=sse (upstream) → internal stream events (§6.4, §9.8 C/D). */
import type { IrStreamEvent } from '../core/ir.types';
import { asNumber, asObject, asString, field, isObject, objectsOf, tryParseJson } from '../core/json.util';
import type { SseEvent } from '../core/sse-parser';
import type { StreamDecoder } from '../core/stream.types';
import { fromGeminiFinish } from '../core/stop-reason.map';
import { usageFromGemini } from '../core/usage.map';
import type { ConvertContext } from '../protocol.types';
import { geminiCallId } from './gemini-response.decoder';
import { applyReasoningSlot, thinkingStateOf } from '../core/reasoning-carrier.util';
import { httpStatusForGeminiStatus } from '../errors/error-types.map';
import { sourceToUrl } from '../core/media.util';

export class GeminiStreamDecoder implements StreamDecoder {
  private started = false;
  private finished = false;
  private thinkingOpen = false;
  private sawFunctionCall = false;
  private calls = 0;

  constructor(private readonly ctx: ConvertContext) {}

  decode(ev: SseEvent): IrStreamEvent[] {
    const parsed = tryParseJson(ev.data);
    const chunk = Array.isArray(parsed) ? asObject(parsed[0]) : asObject(parsed);
    if (!chunk) return [];
    const out: IrStreamEvent[] = [];
    const err = asObject(chunk['error']);
    if (err) {
      const statusName = asString(err['status']);
      out.push({
        type: 'error',
        error: {
          status: asNumber(err['code']) ?? (statusName ? httpStatusForGeminiStatus(statusName) : undefined) ?? 500,
          message: asString(err['message']) ?? 'Upstream stream error',
          ...(statusName ? { type: statusName } : {}),
        },
      });
      return out;
    }
    if (!this.started) {
      this.started = true;
      const start: IrStreamEvent = { type: 'start' };
      const id = asString(chunk['responseId']);
      if (id) start.id = id;
      const model = asString(chunk['modelVersion']);
      if (model) start.model = model;
      out.push(start);
    }
    const usage = usageFromGemini(chunk['usageMetadata']);
    if (usage) out.push({ type: 'usage', usage }); // cumulative: replace, never add (§10.11)

    const candidates = objectsOf(chunk['candidates']);
    const cand = candidates.find((c) => (asNumber(c['index']) ?? 0) === 0);
    if (cand) {
      for (const p of objectsOf(asObject(cand['content'])?.['parts'])) out.push(...this.part(p));
      const finish = asString(cand['finishReason']);
      if (finish && !this.finished) {
        this.finished = true;
        out.push(...this.closeThinking(), { type: 'finish', reason: fromGeminiFinish(finish, this.sawFunctionCall) });
      }
    } else if (asString(asObject(chunk['promptFeedback'])?.['blockReason']) && !this.finished) {
      this.finished = true;
      out.push({ type: 'finish', reason: 'content_filter' });
    }
    return out;
  }

  finish(): IrStreamEvent[] {
    return this.closeThinking();
  }

  private part(p: Record<string, unknown>): IrStreamEvent[] {
    const sig = asString(field(p, 'thoughtSignature'));
    const fc = asObject(field(p, 'functionCall'));
    if (fc) {
      this.sawFunctionCall = true;
      const index = this.calls++;
      const start: IrStreamEvent = {
        type: 'tool_call_start',
        index,
        id: asString(fc['id']) ?? geminiCallId(this.ctx, index),
        name: asString(fc['name']) ?? '',
      };
      if (sig) start.thoughtSignature = sig;
      // The Gemini API sends each call whole: one delta with the full JSON.
      return [
        ...this.closeThinking(),
        start,
        { type: 'tool_call_delta', index, arguments: JSON.stringify(isObject(fc['args']) ? fc['args'] : {}) },
        { type: 'tool_call_end', index },
      ];
    }
    const text = asString(p['text']);
    if (text !== undefined) {
      if (p['thought'] === true) {
        const out: IrStreamEvent[] = [];
        if (text) {
          this.thinkingOpen = true;
          out.push({ type: 'thinking_delta', text });
        }
        if (sig) {
          this.thinkingOpen = false;
          out.push({ type: 'thinking_end', ...thinkingStateOf(applyReasoningSlot({ type: 'thinking', text: '' }, 'gemini-signature', sig)) });
        }
        return out;
      }
      const out = this.closeThinking();
      if (text) out.push({ type: 'text_delta', text }); // never an empty delta for the signature-only part (§10.25)
      if (sig) out.push({ type: 'text_signature', thoughtSignature: sig });
      return out;
    }
    const inline = asObject(field(p, 'inlineData'));
    if (inline) {
      const url = sourceToUrl({ kind: 'base64', mediaType: asString(field(inline, 'mimeType')) ?? 'image/png', data: asString(inline['data']) ?? '' });
      return [...this.closeThinking(), { type: 'text_delta', text: `![image](${url})` }];
    }
    return [];
  }

  private closeThinking(): IrStreamEvent[] {
    if (!this.thinkingOpen) return [];
    this.thinkingOpen = false;
    return [{ type: 'thinking_end' }];
  }
}
