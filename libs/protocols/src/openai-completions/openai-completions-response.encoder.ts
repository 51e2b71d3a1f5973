/** Internal representation → OpenAI Completions answer (`text_completion`) for the client. */
import type { IrResponse, IrStopReason } from '../core/ir.types';
import { createdAt, idBase } from '../core/ids.util';
import { usageToOpenAiChat } from '../core/usage.map';
import type { ConvertContext } from '../protocol.types';
import { echoedPrompt } from './openai-completions-request.decoder';
import type { Completion, CompletionFinishReason } from './openai-completions.types';

/** Completions have no `tool_calls` finish: no tools were offered, so whatever else ended the turn is a stop. */
export function completionFinish(reason: IrStopReason): CompletionFinishReason {
  return reason === 'length' ? 'length' : reason === 'content_filter' ? 'content_filter' : 'stop';
}

export function encodeOpenAiCompletionsResponse(ir: IrResponse, ctx: ConvertContext): Completion {
  // Only the answer's text: reasoning is not part of a completion, and a refusal is what the model said.
  const text = ir.parts.map((p) => (p.type === 'text' || p.type === 'refusal' ? p.text : '')).join('');
  const out: Completion = {
    id: `cmpl-${idBase(ctx)}`,
    object: 'text_completion',
    created: createdAt(ctx, ir.created),
    model: ctx.requestedModel,
    choices: [{ text: echoedPrompt(ctx.clientBody) + text, index: 0, logprobs: null, finish_reason: completionFinish(ir.stopReason) }],
  };
  if (ir.usage) out.usage = usageToOpenAiChat(ir.usage);
  return out;
}
