/** Internal representation → OpenAI Chat Completions request (for an OpenAI-compatible upstream). */
import type { IrPart, IrRequest, IrToolChoice, IrToolResultContent } from '../core/ir.types';
import { fileExtensionForMediaType, audioFormatForMediaType, sourceToUrl } from '../core/media.util';
import { openAiEffort } from '../core/reasoning.map';
import type { ConvertContext } from '../protocol.types';
import type { ChatCompletionRequest, ChatContentPart, ChatMessage, ChatTool, ChatToolChoice, ChatResponseFormat } from './openai-chat.types';

/** Reasoning-era OpenAI models reject `max_tokens`; most other OpenAI-compatible servers only know it. */
function usesMaxCompletionTokens(model: string): boolean {
  return /^(gpt-[4-9]|gpt-\d|o\d|chatgpt-)/i.test(model) && !/^gpt-oss/i.test(model);
}

export function encodeOpenAiChatRequest(ir: IrRequest, ctx: ConvertContext): ChatCompletionRequest {
  const messages: ChatMessage[] = [];
  if (ir.system.length > 0) {
    messages.push({ role: 'system', content: ir.system.map((p) => p.text).join('\n\n') });
  }
  for (const m of ir.messages) {
    if (m.role === 'assistant') messages.push(assistantMessage(m.parts));
    else messages.push(...userMessages(m.parts));
  }

  const req: ChatCompletionRequest = { model: ctx.upstreamModel, messages };
  if (ctx.stream) {
    req.stream = true;
    req.stream_options = { include_usage: true };
  }
  if (ir.tools.length > 0) {
    req.tools = ir.tools.map((t): ChatTool => ({
      type: 'function',
      function: {
        name: t.name,
        ...(t.description !== undefined ? { description: t.description } : {}),
        parameters: t.parameters ?? { type: 'object', properties: {} },
        ...(t.strict !== undefined ? { strict: t.strict } : {}),
      },
    }));
    if (ir.toolChoice) req.tool_choice = toolChoice(ir.toolChoice, req.tools);
    if (ir.parallelToolCalls !== undefined) req.parallel_tool_calls = ir.parallelToolCalls;
  }
  if (ir.maxOutputTokens !== undefined) {
    if (usesMaxCompletionTokens(ctx.upstreamModel)) req.max_completion_tokens = ir.maxOutputTokens;
    else req.max_tokens = ir.maxOutputTokens;
  }
  if (ir.temperature !== undefined) req.temperature = ir.temperature;
  if (ir.topP !== undefined) req.top_p = ir.topP;
  if (ir.stop && ir.stop.length > 0) req.stop = ir.stop.slice(0, 4);
  if (ir.n !== undefined) req.n = ir.n;
  if (ir.seed !== undefined) req.seed = ir.seed;
  if (ir.presencePenalty !== undefined) req.presence_penalty = ir.presencePenalty;
  if (ir.frequencyPenalty !== undefined) req.frequency_penalty = ir.frequencyPenalty;
  if (ir.logprobs !== undefined) req.logprobs = ir.logprobs;
  if (ir.topLogprobs !== undefined) req.top_logprobs = ir.topLogprobs;
  if (ir.responseFormat) req.response_format = responseFormat(ir.responseFormat);
  const effort = openAiEffort(ir.reasoning, ctx.upstreamModel);
  if (effort) req.reasoning_effort = effort;
  // OpenAI caps `user` at 64 characters; longer ids (e.g. Claude Code's metadata.user_id) are dropped.
  if (ir.user && ir.user.length <= 64) req.user = ir.user;
  return req;
}

function responseFormat(rf: NonNullable<IrRequest['responseFormat']>): ChatResponseFormat {
  if (rf.type !== 'json_schema') return rf;
  return {
    type: 'json_schema',
    json_schema: {
      name: rf.name ?? 'response',
      ...(rf.description !== undefined ? { description: rf.description } : {}),
      schema: rf.schema,
      ...(rf.strict !== undefined ? { strict: rf.strict } : {}),
    },
  };
}

function toolChoice(choice: IrToolChoice, tools: ChatTool[]): ChatToolChoice {
  if (choice.type === 'tool') return { type: 'function', function: { name: choice.name } };
  if (choice.allowed && choice.type !== 'none') {
    const allowed = new Set(choice.allowed);
    return {
      type: 'allowed_tools',
      allowed_tools: { mode: choice.type, tools: tools.filter((t) => allowed.has(t.function.name)) },
    };
  }
  return choice.type;
}

function assistantMessage(parts: IrPart[]): ChatMessage {
  const texts: string[] = [];
  const msg: ChatMessage = { role: 'assistant', content: null };
  for (const p of parts) {
    if (p.type === 'text' || p.type === 'refusal') texts.push(p.text);
    else if (p.type === 'tool_call') {
      (msg.tool_calls ??= []).push({ id: p.id, type: 'function', function: { name: p.name, arguments: p.arguments || '{}' } });
    }
    // Reasoning is not replayed to OpenAI-compatible upstreams: several reject unknown message fields.
  }
  msg.content = texts.length > 0 ? texts.join('') : msg.tool_calls ? null : '';
  return msg;
}

function contentPart(p: IrPart): ChatContentPart | undefined {
  switch (p.type) {
    case 'text':
      return { type: 'text', text: p.text };
    case 'image': {
      const url = sourceToUrl(p.source);
      if (!url) return p.source.kind === 'file_id' ? { type: 'file', file: { file_id: p.source.fileId } } : undefined;
      return { type: 'image_url', image_url: p.detail ? { url, detail: p.detail } : { url } };
    }
    case 'audio':
      return { type: 'input_audio', input_audio: { data: p.data, format: audioFormatForMediaType(p.mediaType) } };
    case 'file': {
      if (p.source.kind === 'file_id') return { type: 'file', file: { file_id: p.source.fileId } };
      if (p.source.kind === 'url') return { type: 'text', text: p.source.url };
      const ext = fileExtensionForMediaType(p.source.mediaType);
      return {
        type: 'file',
        file: { file_data: `data:${p.source.mediaType};base64,${p.source.data}`, filename: p.filename ?? `file.${ext}` },
      };
    }
    case 'refusal':
      return { type: 'text', text: p.text };
    default:
      return undefined;
  }
}

/** A user turn becomes `tool` messages (one per result) followed by at most one `user` message. */
function userMessages(parts: IrPart[]): ChatMessage[] {
  const out: ChatMessage[] = [];
  const rest: ChatContentPart[] = [];
  const carried: ChatContentPart[] = [];
  for (const p of parts) {
    if (p.type === 'tool_result') {
      const { text, media } = splitToolResult(p.content);
      out.push({ role: 'tool', tool_call_id: p.toolCallId, content: p.isError && text ? `Error: ${text}` : text });
      carried.push(...media);
    } else {
      const cp = contentPart(p);
      if (cp) rest.push(cp);
    }
  }
  // OpenAI tool messages cannot hold images: move them to the following user message (Portkey).
  const all = [...carried, ...rest];
  if (all.length > 0) {
    const onlyText = all.every((c) => c.type === 'text');
    out.push({
      role: 'user',
      content: onlyText && all.length === 1 ? (all[0] as { text: string }).text : all,
    });
  }
  return out;
}

function splitToolResult(content: IrToolResultContent[]): { text: string; media: ChatContentPart[] } {
  const texts: string[] = [];
  const media: ChatContentPart[] = [];
  for (const c of content) {
    if (c.type === 'text') texts.push(c.text);
    else {
      const cp = contentPart(c);
      if (cp) media.push(cp);
    }
  }
  return { text: texts.join('\n'), media };
}
