/**
 * Internal stream events → OpenAI Completions SSE chunks, as OpenAI streams them: every chunk a `text_completion`
 * with `choices[0].text`, the finish in a chunk of empty text, then (with `stream_options.include_usage`) a chunk with
 * `choices: []` and the usage while every other chunk carries `usage: null`, then `data: [DONE]`.
 */
import type { IrStreamError, IrStreamEvent } from '../core/ir.types';
import { createdAt, idBase } from '../core/ids.util';
import { encodeSseEvent } from '../core/sse-encoder';
import type { StreamEncoder } from '../core/stream.types';
import { usageToOpenAiChat } from '../core/usage.map';
import { openAiErrorType } from '../errors/error-types.map';
import { clientWantsUsage } from '../openai-chat/openai-chat-stream.encoder';
import type { ConvertContext, Usage } from '../protocol.types';
import { echoedPrompt } from './openai-completions-request.decoder';
import { completionFinish } from './openai-completions-response.encoder';
import type { Completion, CompletionFinishReason } from './openai-completions.types';

export class OpenAiCompletionsStreamEncoder implements StreamEncoder {
  private readonly id: string;
  private readonly created: number;
  private readonly includeUsage: boolean;
  private echo: string;
  private finishSent = false;
  private closed = false;
  private usage: Usage | null = null;

  constructor(private readonly ctx: ConvertContext) {
    this.id = `cmpl-${idBase(ctx)}`;
    this.created = createdAt(ctx);
    this.includeUsage = clientWantsUsage(ctx);
    this.echo = echoedPrompt(ctx.clientBody);
  }

  encode(ev: IrStreamEvent): string {
    if (this.closed) return '';
    switch (ev.type) {
      case 'text_delta':
        return this.takeEcho() + this.chunk(ev.text, null);
      case 'usage':
        this.usage = ev.usage;
        return '';
      case 'finish':
        return this.sendFinish(completionFinish(ev.reason));
      default:
        // reasoning and tool calls are not part of a completion's text
        return '';
    }
  }

  end(): string {
    if (this.closed) return '';
    let out = this.sendFinish('stop');
    if (this.includeUsage && this.usage) {
      const last: Completion = {
        id: this.id,
        object: 'text_completion',
        created: this.created,
        model: this.ctx.requestedModel,
        choices: [],
        usage: usageToOpenAiChat(this.usage),
      };
      out += encodeSseEvent('openai-completions', last);
    }
    this.closed = true;
    return out + encodeSseEvent('openai-completions', '[DONE]');
  }

  abort(error: IrStreamError): string {
    if (this.closed) return '';
    this.closed = true;
    const body = { error: { message: error.message, type: openAiErrorType(error.status, error.type, error.code), param: null, code: error.code ?? null } };
    return encodeSseEvent('openai-completions', body) + encodeSseEvent('openai-completions', '[DONE]');
  }

  /** `echo: true`: the prompt goes out first, as its own chunk. */
  private takeEcho(): string {
    if (!this.echo) return '';
    const text = this.echo;
    this.echo = '';
    return this.chunk(text, null);
  }

  private sendFinish(reason: CompletionFinishReason): string {
    if (this.finishSent) return '';
    this.finishSent = true;
    return this.takeEcho() + this.chunk('', reason);
  }

  private chunk(text: string, finish: CompletionFinishReason | null): string {
    const c: Completion = {
      id: this.id,
      object: 'text_completion',
      created: this.created,
      model: this.ctx.requestedModel,
      choices: [{ text, index: 0, logprobs: null, finish_reason: finish }],
    };
    if (this.includeUsage) c.usage = null;
    return encodeSseEvent('openai-completions', c);
  }
}
