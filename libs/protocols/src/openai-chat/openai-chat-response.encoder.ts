/** Internal representation → OpenAI Chat Completions response (for the client). */
import type { IrResponse } from '../core/ir.types';
import { createdAt, encodeToolCallId, idBase } from '../core/ids.util';
import { sourceToUrl } from '../core/media.util';
import { reasoningSlotValue } from '../core/reasoning-carrier.util';
import { toOpenAiFinish } from '../core/stop-reason.map';
import { usageToOpenAiChat } from '../core/usage.map';
import type { ConvertContext } from '../protocol.types';
import type { IrCitation } from '../core/ir.types';
import type { ChatCompletion, ChatCompletionMessage, ChatThinkingBlock, ChatToolCall, ChatUrlCitation } from './openai-chat.types';

/** Citations as Chat Completions annotations; `offset`: where their text starts in the message's content. */
export function chatUrlCitations(citations: readonly IrCitation[], offset = 0): ChatUrlCitation[] {
  return citations.map((c) => ({
    type: 'url_citation',
    url_citation: { url: c.url, title: c.title, start_index: c.startIndex + offset, end_index: c.endIndex + offset },
  }));
}

export function encodeOpenAiChatResponse(ir: IrResponse, ctx: ConvertContext): ChatCompletion {
  const texts: string[] = [];
  const reasoning: string[] = [];
  const blocks: ChatThinkingBlock[] = [];
  let carriesState = false;
  const toolCalls: ChatToolCall[] = [];
  let refusal: string | null = null;
  const annotations: ChatUrlCitation[] = [];
  let length = 0;
  for (const p of ir.parts) {
    switch (p.type) {
      case 'text':
        if (p.citations?.length) annotations.push(...chatUrlCitations(p.citations, length));
        texts.push(p.text);
        length += p.text.length;
        break;
      case 'refusal':
        refusal = (refusal ?? '') + p.text;
        break;
      case 'image': {
        // No native slot for generated images in Chat Completions: markdown, as new-api does.
        const url = sourceToUrl(p.source);
        if (url) texts.push(`![image](${url})`);
        if (url) length += `![image](${url})`.length;
        break;
      }
      case 'thinking': {
        if (p.text) reasoning.push(p.text);
        if (p.redactedData && !p.text) {
          blocks.push({ type: 'redacted_thinking', data: p.redactedData });
          carriesState = true;
        } else {
          const signature = reasoningSlotValue(p, 'anthropic-signature');
          if (signature) carriesState = true;
          blocks.push(signature ? { type: 'thinking', thinking: p.text, signature } : { type: 'thinking', thinking: p.text });
        }
        break;
      }
      case 'tool_call':
        toolCalls.push({
          id: encodeToolCallId(p.id, p.thoughtSignature),
          type: 'function',
          function: { name: p.name, arguments: p.arguments || '{}' },
        });
        break;
      default:
        break;
    }
  }
  const message: ChatCompletionMessage = {
    role: 'assistant',
    content: texts.length > 0 ? texts.join('') : toolCalls.length > 0 || refusal !== null ? null : '',
    refusal,
  };
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  if (reasoning.length > 0) message.reasoning_content = reasoning.join('\n\n');
  if (carriesState) message.thinking_blocks = blocks;
  if (annotations.length > 0) message.annotations = annotations;

  const out: ChatCompletion = {
    id: `chatcmpl-${idBase(ctx)}`,
    object: 'chat.completion',
    created: createdAt(ctx, ir.created),
    model: ctx.requestedModel,
    choices: [{ index: 0, message, logprobs: null, finish_reason: toOpenAiFinish(ir.stopReason) }],
  };
  if (ir.usage) out.usage = usageToOpenAiChat(ir.usage);
  return out;
}
