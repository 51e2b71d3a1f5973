/** Internal representation → Anthropic Messages request (for an Anthropic upstream). */
import type { IrCacheControl, IrMediaSource, IrMessage, IrPart, IrRequest, IrToolResultContent } from '../core/ir.types';
import { normalizeConversation } from '../core/ir-build.util';
import { isObject, tryParseJson, type JsonObject } from '../core/json.util';
import { toAnthropicInputSchema } from '../core/json-schema.util';
import { anthropicBudget } from '../core/reasoning.map';
import type { ConvertContext } from '../protocol.types';
import { ProtocolError } from '../protocol.error';
import type {
  AnthropicCacheControl,
  AnthropicContentBlock,
  AnthropicDocumentBlock,
  AnthropicImageBlock,
  AnthropicMessageParam,
  AnthropicMessagesRequest,
  AnthropicSource,
  AnthropicTextBlock,
  AnthropicTool,
  AnthropicToolChoice,
  AnthropicToolResultBlock,
  AnthropicToolUseBlock,
} from './anthropic.types';

/** LiteLLM / pydantic-ai default when the client gave no limit (Anthropic requires max_tokens). */
export const DEFAULT_ANTHROPIC_MAX_TOKENS = 4096;
const MAX_CACHE_BREAKPOINTS = 4;
const IMAGE_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);
const PLACEHOLDER = '...';

/** `claude-opus-4-6…` → 4.6, `claude-3-5-sonnet…` → 3.5. */
export function claudeVersion(model: string): number {
  let m = /claude-(?:opus|sonnet|haiku)-(\d+)(?:-(\d{1,2}))?(?:-|$)/i.exec(model);
  if (m) return Number(m[1]) + (m[2] ? Number(m[2]) / 10 : 0);
  m = /claude-(\d+)(?:-(\d))?-/i.exec(model);
  return m ? Number(m[1]) + (m[2] ? Number(m[2]) / 10 : 0) : 0;
}

export function encodeAnthropicRequest(ir: IrRequest, ctx: ConvertContext): AnthropicMessagesRequest {
  if (ir.n !== undefined && ir.n > 1) {
    throw new ProtocolError('n > 1 is not supported by this model (Anthropic upstream)', { param: 'n' });
  }
  let maxTokens = ir.maxOutputTokens ?? DEFAULT_ANTHROPIC_MAX_TOKENS;
  let budget = anthropicBudget(ir.reasoning);

  const conversation = normalizeConversation(ir.messages);
  if (conversation[0]?.role === 'assistant') conversation.unshift({ role: 'user', parts: [{ type: 'text', text: PLACEHOLDER }] });
  if (budget !== undefined && !lastToolTurnHasSignedThinking(conversation)) budget = undefined;
  // Thinking cannot be combined with a forced tool (§9.12); the forced tool is the caller's contract.
  const forced = ir.tools.length > 0 && (ir.toolChoice?.type === 'tool' || ir.toolChoice?.type === 'required');
  if (forced) budget = undefined;
  const thinkingOn = budget !== undefined;

  const messages = conversation.map((m) => encodeMessage(m, thinkingOn));
  fixToolResultAdjacency(messages);

  const req: AnthropicMessagesRequest = { model: ctx.upstreamModel, max_tokens: maxTokens, messages };

  const systemBlocks: AnthropicTextBlock[] = ir.system
    .filter((s) => s.text.length > 0)
    .map((s) => withCache<AnthropicTextBlock>({ type: 'text', text: s.text }, s.cacheControl));
  if (ir.responseFormat?.type === 'json_object') {
    systemBlocks.push({ type: 'text', text: 'Respond only with a single valid JSON object, without any surrounding text.' });
  }
  if (systemBlocks.length === 1 && !systemBlocks[0].cache_control) req.system = systemBlocks[0].text;
  else if (systemBlocks.length > 0) req.system = systemBlocks;

  let tools: AnthropicTool[] = ir.tools.map((t) =>
    withCache<AnthropicTool>(
      { name: t.name, ...(t.description ? { description: t.description } : {}), input_schema: toAnthropicInputSchema(t.parameters) },
      t.cacheControl,
    ),
  );
  let choice: AnthropicToolChoice | undefined;
  if (tools.length > 0 && ir.toolChoice) {
    const c = ir.toolChoice;
    if (c.type === 'tool') choice = { type: 'tool', name: c.name };
    else if (c.type === 'none') choice = { type: 'none' };
    else {
      if (c.allowed) {
        const allowed = new Set(c.allowed);
        tools = tools.filter((t) => allowed.has(t.name));
      }
      choice = c.type === 'required' ? { type: 'any' } : { type: 'auto' };
    }
  }
  if (tools.length === 0 && messages.some((m) => Array.isArray(m.content) && m.content.some((b) => b.type === 'tool_use' || b.type === 'tool_result'))) {
    // Anthropic rejects tool history without `tools` (§10.1): declare the names, forbid new calls.
    tools = historyToolNames(messages).map((name) => ({ name, input_schema: { type: 'object', properties: {} } }));
    choice = { type: 'none' };
  }
  if (choice && choice.type !== 'none' && ir.parallelToolCalls === false) choice.disable_parallel_tool_use = true;
  if (tools.length > 0) req.tools = tools;
  if (choice) req.tool_choice = choice;

  if (thinkingOn && budget !== undefined) {
    if (budget >= maxTokens) {
      if (maxTokens >= 2048) budget = Math.max(1024, maxTokens - 1024);
      else maxTokens = budget + maxTokens;
    }
    req.max_tokens = maxTokens;
    req.thinking = { type: 'enabled', budget_tokens: budget };
  } else {
    const version = claudeVersion(ctx.upstreamModel);
    // Models newer than Opus 4.6 accept only temperature 1.0 (§10.19).
    if (ir.temperature !== undefined && !(version > 4.6 && ir.temperature !== 1)) req.temperature = Math.min(1, Math.max(0, ir.temperature));
    if (ir.topP !== undefined && req.temperature === undefined && version <= 4.6) req.top_p = ir.topP;
    if (ir.topK !== undefined && version <= 4.6) req.top_k = ir.topK;
  }
  const stops = (ir.stop ?? []).filter((s) => s.trim().length > 0);
  if (stops.length > 0) req.stop_sequences = stops;
  if (ctx.stream) req.stream = true;
  if (ir.responseFormat?.type === 'json_schema') req.output_config = { format: { type: 'json_schema', schema: ir.responseFormat.schema } };
  if (ir.user && !ir.user.includes('@')) req.metadata = { user_id: ir.user };
  limitCacheBreakpoints(req);
  return req;
}

function withCache<T extends { cache_control?: AnthropicCacheControl }>(block: T, cc: IrCacheControl | undefined): T {
  if (cc) block.cache_control = cc.ttl ? { type: 'ephemeral', ttl: cc.ttl } : { type: 'ephemeral' };
  return block;
}

function lastToolTurnHasSignedThinking(conversation: IrMessage[]): boolean {
  for (let i = conversation.length - 1; i >= 0; i--) {
    const m = conversation[i];
    if (m.role !== 'assistant') continue;
    if (!m.parts.some((p) => p.type === 'tool_call')) return true;
    const first = m.parts[0];
    return !!first && first.type === 'thinking' && (!!first.signature || !!first.redactedData);
  }
  return true;
}

function encodeMessage(m: IrMessage, thinkingOn: boolean): AnthropicMessageParam {
  const blocks: AnthropicContentBlock[] = [];
  for (const p of m.parts) {
    const b = encodePart(p, thinkingOn);
    if (b) blocks.push(b);
  }
  if (blocks.length === 0) return { role: m.role, content: PLACEHOLDER };
  return { role: m.role, content: blocks };
}

function encodePart(p: IrPart, thinkingOn: boolean): AnthropicContentBlock | undefined {
  switch (p.type) {
    case 'text':
      return p.text.length > 0 ? withCache<AnthropicTextBlock>({ type: 'text', text: p.text }, p.cacheControl) : undefined;
    case 'refusal':
      return p.text.length > 0 ? { type: 'text', text: p.text } : undefined;
    case 'image':
      return withCache(imageBlock(p.source), p.cacheControl);
    case 'file':
      return withCache(fileBlock(p.source, p.filename), p.cacheControl);
    case 'audio':
      throw new ProtocolError('Audio input is not supported by this model (Anthropic upstream)', { param: 'messages' });
    case 'thinking':
      if (!thinkingOn) return undefined;
      if (p.redactedData && !p.signature) return { type: 'redacted_thinking', data: p.redactedData };
      // Only Anthropic's own signatures verify; anything else would be rejected.
      return p.signature ? { type: 'thinking', thinking: p.text, signature: p.signature } : undefined;
    case 'tool_call':
      return withCache<AnthropicToolUseBlock>({ type: 'tool_use', id: p.id, name: p.name, input: parseToolArguments(p.arguments, p.name) }, p.cacheControl);
    case 'tool_result': {
      const content = toolResultContent(p.content);
      return withCache<AnthropicToolResultBlock>(
        { type: 'tool_result', tool_use_id: p.toolCallId, content, ...(p.isError ? { is_error: true } : {}) },
        p.cacheControl,
      );
    }
  }
}

/** OpenAI arguments are a JSON string; Anthropic wants an object. `""` → `{}`; invalid → 400 (§9.7). */
export function parseToolArguments(args: string, name: string): JsonObject {
  if (args.trim() === '') return {};
  const parsed = tryParseJson(args);
  if (!isObject(parsed)) {
    throw new ProtocolError(`Tool call '${name}' has arguments that are not a JSON object`, { param: 'messages' });
  }
  return parsed;
}

function sourceOf(src: IrMediaSource): AnthropicSource {
  if (src.kind === 'base64') return { type: 'base64', media_type: src.mediaType, data: src.data };
  if (src.kind === 'url') return { type: 'url', url: src.url };
  return { type: 'file', file_id: src.fileId };
}

function imageBlock(src: IrMediaSource): AnthropicImageBlock | AnthropicDocumentBlock {
  if (src.kind === 'base64' && src.mediaType === 'application/pdf') return { type: 'document', source: sourceOf(src) };
  if (src.kind === 'base64' && !IMAGE_TYPES.has(src.mediaType)) {
    throw new ProtocolError(`Image type ${src.mediaType} is not supported by this model (jpeg, png, gif, webp only)`, { param: 'messages' });
  }
  return { type: 'image', source: sourceOf(src) };
}

function fileBlock(src: IrMediaSource, filename: string | undefined): AnthropicImageBlock | AnthropicDocumentBlock {
  const mt = src.mediaType ?? (src.kind === 'base64' ? src.mediaType : undefined);
  if (mt && mt.startsWith('image/')) return imageBlock(src);
  let doc: AnthropicDocumentBlock;
  if (src.kind === 'base64' && mt && (mt.startsWith('text/') || mt === 'application/json')) {
    doc = { type: 'document', source: { type: 'text', media_type: 'text/plain', data: Buffer.from(src.data, 'base64').toString('utf8') } };
  } else if (src.kind === 'base64' && mt !== 'application/pdf') {
    throw new ProtocolError(`File type ${mt} is not supported by this model (PDF and text only)`, { param: 'messages' });
  } else {
    doc = { type: 'document', source: sourceOf(src) };
  }
  if (filename) doc.title = filename;
  return doc;
}

function toolResultContent(content: IrToolResultContent[]): string | (AnthropicTextBlock | AnthropicImageBlock | AnthropicDocumentBlock)[] {
  if (content.every((c) => c.type === 'text')) return content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
  const out: (AnthropicTextBlock | AnthropicImageBlock | AnthropicDocumentBlock)[] = [];
  for (const c of content) {
    if (c.type === 'text') {
      if (c.text.length > 0) out.push({ type: 'text', text: c.text });
    } else if (c.type === 'image') out.push(imageBlock(c.source));
    else out.push(fileBlock(c.source, c.filename));
  }
  return out;
}

/**
 * Each tool_result must answer a tool_use of the immediately preceding assistant turn
 * (§10.3). Orphans (e.g. after a history edit) become plain text instead of a 400.
 */
function fixToolResultAdjacency(messages: AnthropicMessageParam[]): void {
  let prevToolIds = new Set<string>();
  for (const m of messages) {
    if (!Array.isArray(m.content)) {
      prevToolIds = new Set();
      continue;
    }
    if (m.role === 'assistant') {
      prevToolIds = new Set(m.content.flatMap((b) => (b.type === 'tool_use' ? [b.id] : [])));
      continue;
    }
    m.content = m.content.map((b) => {
      if (b.type !== 'tool_result' || prevToolIds.has(b.tool_use_id)) return b;
      const text = typeof b.content === 'string' ? b.content : b.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
      return { type: 'text', text: `[tool result ${b.tool_use_id}] ${text}`.trim() };
    });
    prevToolIds = new Set();
  }
}

function historyToolNames(messages: AnthropicMessageParam[]): string[] {
  const names = new Set<string>();
  for (const m of messages) if (Array.isArray(m.content)) for (const b of m.content) if (b.type === 'tool_use') names.add(b.name);
  if (names.size === 0) names.add('tool');
  return [...names];
}

/** Anthropic allows at most 4 cache breakpoints; keep the last (widest-prefix) ones. */
function limitCacheBreakpoints(req: AnthropicMessagesRequest): void {
  const holders: { cache_control?: AnthropicCacheControl }[] = [];
  for (const t of req.tools ?? []) if (t.cache_control) holders.push(t);
  if (Array.isArray(req.system)) for (const s of req.system) if (s.cache_control) holders.push(s);
  for (const m of req.messages) {
    if (!Array.isArray(m.content)) continue;
    for (const b of m.content) if ('cache_control' in b && b.cache_control) holders.push(b);
  }
  for (let i = 0; i < holders.length - MAX_CACHE_BREAKPOINTS; i++) delete holders[i].cache_control;
}
