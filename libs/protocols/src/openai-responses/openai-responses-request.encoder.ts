/** Internal representation → OpenAI Responses request (for an OpenAI Responses upstream). */
import type { IrPart, IrRequest, IrToolResultContent } from '../core/ir.types';
import { fileExtensionForMediaType, sourceToUrl } from '../core/media.util';
import { openAiEffort } from '../core/reasoning.map';
import type { ConvertContext } from '../protocol.types';
import type { ResponsesFunctionTool, ResponsesInputContent, ResponsesInputItem, ResponsesRequest, ResponsesToolChoice } from './openai-responses.types';

/** The Responses API rejects max_output_tokens below 16. */
const MIN_OUTPUT_TOKENS = 16;

export function encodeResponsesRequest(ir: IrRequest, ctx: ConvertContext): ResponsesRequest {
  const input: ResponsesInputItem[] = [];
  for (const m of ir.messages) {
    if (m.role === 'assistant') input.push(...assistantItems(m.parts));
    else input.push(...userItems(m.parts));
  }
  // A translating gateway replays full history each turn, so nothing needs storing upstream.
  const req: ResponsesRequest = { model: ctx.upstreamModel, input, store: false };
  const instructions = ir.system.map((s) => s.text).filter((t) => t.length > 0);
  if (instructions.length > 0) req.instructions = instructions.join('\n\n');
  if (ctx.stream) req.stream = true;
  if (ir.maxOutputTokens !== undefined) req.max_output_tokens = Math.max(MIN_OUTPUT_TOKENS, ir.maxOutputTokens);
  if (ir.temperature !== undefined) req.temperature = ir.temperature;
  if (ir.topP !== undefined) req.top_p = ir.topP;
  if (ir.logprobs && ir.topLogprobs !== undefined) req.top_logprobs = ir.topLogprobs;
  if (ir.tools.length > 0) {
    req.tools = ir.tools.map((t): ResponsesFunctionTool => ({
      type: 'function',
      name: t.name,
      ...(t.description !== undefined ? { description: t.description } : {}),
      parameters: t.parameters ?? { type: 'object', properties: {} },
      // Responses defaults `strict` to true, which rejects ordinary schemas: be explicit.
      strict: t.strict ?? false,
    }));
    const c = ir.toolChoice;
    if (c) {
      let choice: ResponsesToolChoice;
      if (c.type === 'tool') choice = { type: 'function', name: c.name };
      else if (c.allowed && c.type !== 'none') choice = { type: 'allowed_tools', mode: c.type, tools: c.allowed.map((name) => ({ type: 'function', name })) };
      else choice = c.type;
      req.tool_choice = choice;
    }
    if (ir.parallelToolCalls !== undefined) req.parallel_tool_calls = ir.parallelToolCalls;
  }
  const rf = ir.responseFormat;
  if (rf) {
    req.text = {
      format:
        rf.type === 'json_schema'
          ? {
              type: 'json_schema',
              name: rf.name ?? 'response',
              schema: rf.schema,
              ...(rf.description !== undefined ? { description: rf.description } : {}),
              ...(rf.strict !== undefined ? { strict: rf.strict } : {}),
            }
          : rf,
    };
  }
  const effort = openAiEffort(ir.reasoning, ctx.upstreamModel);
  if (effort) {
    req.reasoning = { effort };
    if (ir.reasoning?.includeThoughts && effort !== 'none') req.reasoning.summary = 'auto';
    if (effort !== 'none') req.include = ['reasoning.encrypted_content'];
  }
  // OpenAI caps `user` at 64 characters; longer ids (e.g. Claude Code's metadata.user_id) are dropped.
  if (ir.user && ir.user.length <= 64) req.user = ir.user;
  if (ir.metadata && Object.keys(ir.metadata).length > 0) req.metadata = ir.metadata;
  return req;
}

function assistantItems(parts: IrPart[]): ResponsesInputItem[] {
  const items: ResponsesInputItem[] = [];
  let text = '';
  const flush = (): void => {
    if (text) items.push({ type: 'message', role: 'assistant', content: text });
    text = '';
  };
  for (const p of parts) {
    if (p.type === 'text' || p.type === 'refusal') text += p.text;
    else if (p.type === 'tool_call') {
      flush();
      items.push({ type: 'function_call', call_id: p.id, name: p.name, arguments: p.arguments || '{}' });
    } else if (p.type === 'thinking' && p.reasoningId && p.encryptedContent) {
      // Only OpenAI's own reasoning items can be replayed.
      flush();
      items.push({
        type: 'reasoning',
        id: p.reasoningId,
        summary: p.text ? [{ type: 'summary_text', text: p.text }] : [],
        encrypted_content: p.encryptedContent,
      });
    }
  }
  flush();
  return items;
}

function contentOf(p: IrPart): ResponsesInputContent | undefined {
  switch (p.type) {
    case 'text':
    case 'refusal':
      return { type: 'input_text', text: p.text };
    case 'image': {
      if (p.source.kind === 'file_id') return { type: 'input_image', file_id: p.source.fileId, detail: p.detail ?? 'auto' };
      return { type: 'input_image', image_url: sourceToUrl(p.source) ?? '', detail: p.detail ?? 'auto' };
    }
    case 'file': {
      if (p.source.kind === 'file_id') return { type: 'input_file', file_id: p.source.fileId };
      if (p.source.kind === 'url') return { type: 'input_file', file_url: p.source.url };
      return {
        type: 'input_file',
        file_data: `data:${p.source.mediaType};base64,${p.source.data}`,
        filename: p.filename ?? `file.${fileExtensionForMediaType(p.source.mediaType)}`,
      };
    }
    case 'audio':
      return {
        type: 'input_file',
        file_data: `data:${p.mediaType};base64,${p.data}`,
        filename: `audio.${fileExtensionForMediaType(p.mediaType)}`,
      };
    default:
      return undefined;
  }
}

function userItems(parts: IrPart[]): ResponsesInputItem[] {
  const items: ResponsesInputItem[] = [];
  const content: ResponsesInputContent[] = [];
  for (const p of parts) {
    if (p.type === 'tool_result') {
      const { text, media } = splitToolResult(p.content);
      items.push({ type: 'function_call_output', call_id: p.toolCallId, output: p.isError && text ? `Error: ${text}` : text });
      content.push(...media);
    } else {
      const c = contentOf(p);
      if (c) content.push(c);
    }
  }
  if (content.length > 0) items.push({ type: 'message', role: 'user', content });
  return items;
}

function splitToolResult(content: IrToolResultContent[]): { text: string; media: ResponsesInputContent[] } {
  const texts: string[] = [];
  const media: ResponsesInputContent[] = [];
  for (const c of content) {
    if (c.type === 'text') texts.push(c.text);
    else {
      const m = contentOf(c);
      if (m) media.push(m);
    }
  }
  return { text: texts.join('\n'), media };
}
