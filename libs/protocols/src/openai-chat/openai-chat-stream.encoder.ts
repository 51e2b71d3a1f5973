/** Internal stream events → OpenAI Chat Completions SSE chunks (for the client), §2.4/§2.5. */
import type { IrStreamError, IrStreamEvent } from '../core/ir.types';
import { createdAt, encodeToolCallId, idBase } from '../core/ids.util';
import { asBoolean, asObject } from '../core/json.util';
import { reasoningSlotValue, thinkingStateOf } from '../core/reasoning-carrier.util';
import { encodeSseEvent } from '../core/sse-encoder';
import type { StreamEncoder } from '../core/stream.types';
import { toOpenAiFinish } from '../core/stop-reason.map';
import { usageToOpenAiChat } from '../core/usage.map';
import type { Usage, ConvertContext } from '../protocol.types';
import type { ChatChunkDelta, ChatCompletionChunk, ChatFinishReason, ChatThinkingBlock, OpenAiErrorBody } from './openai-chat.types';
import { openAiErrorType } from '../errors/error-types.map';
import { chatUrlCitations } from './openai-chat-response.encoder';

export function clientWantsUsage(ctx: ConvertContext): boolean {
  if (!ctx.clientBody) return true;
  return asBoolean(asObject(ctx.clientBody['stream_options'])?.['include_usage']) === true;
}

export class OpenAiChatStreamEncoder implements StreamEncoder {
  private readonly id: string;
  private readonly created: number;
  private readonly includeUsage: boolean;
  private started = false;
  private finishSent = false;
  private closed = false;
  private usage: Usage | null = null;
  private thinkingText = '';
  private readonly blocks: ChatThinkingBlock[] = [];

  constructor(private readonly ctx: ConvertContext) {
    this.id = `chatcmpl-${idBase(ctx)}`;
    this.created = createdAt(ctx);
    this.includeUsage = clientWantsUsage(ctx);
  }

  encode(ev: IrStreamEvent): string {
    if (this.closed) return '';
    switch (ev.type) {
      case 'start':
        return this.ensureStarted();
      case 'text_delta':
        return this.ensureStarted() + this.chunk({ content: ev.text });
      case 'thinking_delta':
        this.thinkingText += ev.text;
        return this.ensureStarted() + this.chunk({ reasoning_content: ev.text });
      case 'thinking_end': {
        const part = { type: 'thinking' as const, text: this.thinkingText, ...thinkingStateOf(ev) };
        this.thinkingText = '';
        if (ev.redactedData && !part.text) this.blocks.push({ type: 'redacted_thinking', data: ev.redactedData });
        else {
          const signature = reasoningSlotValue(part, 'anthropic-signature');
          if (!signature) return '';
          this.blocks.push({ type: 'thinking', thinking: part.text, signature });
        }
        // Cumulative: SDK accumulators assign unknown delta fields, so the last value wins.
        return this.ensureStarted() + this.chunk({ thinking_blocks: [...this.blocks] });
      }
      case 'tool_call_start':
        return (
          this.ensureStarted() +
          this.chunk({
            tool_calls: [{ index: ev.index, id: encodeToolCallId(ev.id, ev.thoughtSignature), type: 'function', function: { name: ev.name, arguments: '' } }],
          })
        );
      case 'tool_call_delta':
        return this.ensureStarted() + this.chunk({ tool_calls: [{ index: ev.index, function: { arguments: ev.arguments } }] });
      case 'usage':
        this.usage = ev.usage;
        return '';
      case 'citations':
        return ev.citations.length ? this.ensureStarted() + this.chunk({ annotations: chatUrlCitations(ev.citations) }) : '';
      case 'finish':
        return this.sendFinish(toOpenAiFinish(ev.reason));
      default:
        return '';
    }
  }

  end(): string {
    if (this.closed) return '';
    let out = this.ensureStarted() + this.sendFinish('stop');
    if (this.includeUsage && this.usage) {
      const usageChunk: ChatCompletionChunk = {
        id: this.id,
        object: 'chat.completion.chunk',
        created: this.created,
        model: this.ctx.requestedModel,
        choices: [],
        usage: usageToOpenAiChat(this.usage),
      };
      out += encodeSseEvent('openai-chat', usageChunk);
    }
    this.closed = true;
    return out + encodeSseEvent('openai-chat', '[DONE]');
  }

  abort(error: IrStreamError): string {
    if (this.closed) return '';
    this.closed = true;
    const body: OpenAiErrorBody = {
      error: { message: error.message, type: openAiErrorType(error.status, error.type, error.code), param: null, code: error.code ?? null },
    };
    return encodeSseEvent('openai-chat', body) + encodeSseEvent('openai-chat', '[DONE]');
  }

  private ensureStarted(): string {
    if (this.started) return '';
    this.started = true;
    return this.chunk({ role: 'assistant', content: '' });
  }

  private sendFinish(reason: ChatFinishReason): string {
    if (this.finishSent) return '';
    this.finishSent = true;
    return this.ensureStarted() + this.chunk({}, reason);
  }

  private chunk(delta: ChatChunkDelta, finish: ChatFinishReason | null = null): string {
    const c: ChatCompletionChunk = {
      id: this.id,
      object: 'chat.completion.chunk',
      created: this.created,
      model: this.ctx.requestedModel,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    };
    return encodeSseEvent('openai-chat', c);
  }
}
