/** Internal representation → Bedrock Converse request (`/model/{id}/converse` and `/converse-stream`). */
import type { IrCacheControl, IrMediaSource, IrMessage, IrPart, IrRequest, IrToolResultContent } from '../core/ir.types';
import { normalizeConversation } from '../core/ir-build.util';
import { toAnthropicInputSchema } from '../core/json-schema.util';
import type { JsonObject } from '../core/json.util';
import { anthropicBudget } from '../core/reasoning.map';
import { claudeVersion, parseToolArguments } from '../anthropic/anthropic-request.encoder';
import type { ConvertContext } from '../protocol.types';
import { ProtocolError } from '../protocol.error';
import { bedrockModelProvider, isBedrockAnthropicModel } from './bedrock-model.util';
import type {
  ConverseCachePoint,
  ConverseContentBlock,
  ConverseDocument,
  ConverseImage,
  ConverseMessage,
  ConverseRequest,
  ConverseSource,
  ConverseTool,
  ConverseToolChoice,
  ConverseToolResultContent,
} from './bedrock-converse.types';

const PLACEHOLDER = '...';
/** Converse needs a budget above the thinking budget; Claude's own default when the client named none. */
const DEFAULT_MAX_TOKENS_WITH_THINKING = 4096;
const IMAGE_FORMATS: Record<string, ConverseImage['format']> = {
  'image/png': 'png',
  'image/jpeg': 'jpeg',
  'image/jpg': 'jpeg',
  'image/gif': 'gif',
  'image/webp': 'webp',
};
const DOCUMENT_FORMATS: Record<string, string> = {
  'application/pdf': 'pdf',
  'text/csv': 'csv',
  'application/msword': 'doc',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'application/vnd.ms-excel': 'xls',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
  'text/html': 'html',
  'text/plain': 'txt',
  'text/markdown': 'md',
};
const SERVICE_TIERS = new Set(['priority', 'default', 'flex', 'reserved']);

export function encodeConverseRequest(ir: IrRequest, ctx: ConvertContext): ConverseRequest {
  if (ir.n !== undefined && ir.n > 1) throw new ProtocolError('n > 1 is not supported by Bedrock Converse', { param: 'n' });
  const claude = isBedrockAnthropicModel(ctx.upstreamModel);
  const forced = ir.tools.length > 0 && (ir.toolChoice?.type === 'tool' || ir.toolChoice?.type === 'required');
  // Claude's extended thinking is a model field Converse passes through; it cannot be combined with a forced tool.
  let budget = claude && !forced ? anthropicBudget(ir.reasoning) : undefined;
  const thinkingOn = budget !== undefined;

  const conversation = normalizeConversation(ir.messages);
  if (conversation[0]?.role === 'assistant') conversation.unshift({ role: 'user', parts: [{ type: 'text', text: PLACEHOLDER }] });
  const messages = conversation.map((m) => encodeMessage(m, thinkingOn));
  fixToolResultAdjacency(messages);
  const req: ConverseRequest = { messages };

  const system: NonNullable<ConverseRequest['system']> = [];
  for (const s of ir.system) {
    if (s.text.length === 0) continue;
    system.push({ text: s.text });
    if (s.cacheControl) system.push({ cachePoint: cachePoint(s.cacheControl) });
  }
  if (ir.responseFormat?.type === 'json_object') system.push({ text: 'Respond only with a single valid JSON object, without any surrounding text.' });
  if (system.length > 0) req.system = system;

  const toolConfig = encodeTools(ir, messages);
  if (toolConfig) req.toolConfig = toolConfig;

  const inference: NonNullable<ConverseRequest['inferenceConfig']> = {};
  let maxTokens = ir.maxOutputTokens;
  const additional: JsonObject = {};
  if (thinkingOn && budget !== undefined) {
    maxTokens ??= Math.max(DEFAULT_MAX_TOKENS_WITH_THINKING, budget + 1024);
    if (budget >= maxTokens) {
      if (maxTokens >= 2048) budget = Math.max(1024, maxTokens - 1024);
      else maxTokens = budget + maxTokens;
    }
    additional['thinking'] = { type: 'enabled', budget_tokens: budget };
  } else {
    // Converse's temperature is 0–1 for every model family (OpenAI clients may send up to 2).
    const version = claude ? claudeVersion(ctx.upstreamModel) : 0;
    // Claude after Opus 4.6 takes temperature 1 only, and no Claude takes temperature and topP together.
    if (ir.temperature !== undefined && !(version > 4.6 && ir.temperature !== 1)) inference.temperature = Math.min(1, Math.max(0, ir.temperature));
    if (ir.topP !== undefined && !(claude && inference.temperature !== undefined)) inference.topP = Math.min(1, Math.max(0, ir.topP));
    if (ir.topK !== undefined && claude) additional['top_k'] = ir.topK;
  }
  if (maxTokens !== undefined) inference.maxTokens = maxTokens;
  const stops = (ir.stop ?? []).filter((s) => s.length > 0);
  if (stops.length > 0) inference.stopSequences = stops;
  if (Object.keys(inference).length > 0) req.inferenceConfig = inference;

  const effort = ir.reasoning?.effort;
  if (effort && effort !== 'none' && bedrockModelProvider(ctx.upstreamModel) === 'openai') {
    // gpt-oss on Bedrock takes OpenAI's reasoning_effort as a model field.
    additional['reasoning_effort'] = effort === 'minimal' ? 'low' : effort === 'xhigh' || effort === 'max' ? 'high' : effort;
  }
  if (Object.keys(additional).length > 0) req.additionalModelRequestFields = additional;

  if (ir.responseFormat?.type === 'json_schema') {
    const { schema, name, description } = ir.responseFormat;
    const jsonSchema: JsonObject = { schema: JSON.stringify(schema), name: name ?? 'response' };
    if (description) jsonSchema['description'] = description;
    req.outputConfig = { textFormat: { type: 'json_schema', structure: { jsonSchema } } };
  }
  if (ir.serviceTier && SERVICE_TIERS.has(ir.serviceTier)) req.serviceTier = { type: ir.serviceTier };
  return req;
}

function cachePoint(cc: IrCacheControl): ConverseCachePoint {
  return cc.ttl === '5m' || cc.ttl === '1h' ? { type: 'default', ttl: cc.ttl } : { type: 'default' };
}

function encodeMessage(m: IrMessage, thinkingOn: boolean): ConverseMessage {
  const content: ConverseContentBlock[] = [];
  for (const p of m.parts) {
    const block = encodePart(p, m.role, thinkingOn);
    if (!block) continue;
    content.push(block);
    const cc = 'cacheControl' in p ? p.cacheControl : undefined;
    if (cc) content.push({ cachePoint: cachePoint(cc) });
  }
  if (content.length === 0) content.push({ text: PLACEHOLDER });
  return { role: m.role, content };
}

function encodePart(p: IrPart, role: 'user' | 'assistant', thinkingOn: boolean): ConverseContentBlock | undefined {
  switch (p.type) {
    case 'text':
    case 'refusal':
      return p.text.length > 0 ? { text: p.text } : undefined;
    case 'image':
      return mediaBlock(p.source, undefined, true);
    case 'file':
      return mediaBlock(p.source, p.filename, false);
    case 'audio':
      throw new ProtocolError('Audio input is not supported by Bedrock Converse', { param: 'messages' });
    case 'thinking':
      // Only Claude's own signatures verify, and only while thinking is on (as with Anthropic's API).
      if (role !== 'assistant' || !thinkingOn) return undefined;
      if (p.signature) return { reasoningContent: { reasoningText: { text: p.text, signature: p.signature } } };
      if (p.redactedData) return { reasoningContent: { redactedContent: p.redactedData } };
      return undefined;
    case 'tool_call':
      return { toolUse: { toolUseId: p.id, name: p.name, input: parseToolArguments(p.arguments, p.name) } };
    case 'tool_result':
      return {
        toolResult: {
          toolUseId: p.toolCallId,
          content: toolResultContent(p.content),
          status: p.isError ? 'error' : 'success',
        },
      };
  }
}

function source(src: IrMediaSource): ConverseSource {
  if (src.kind === 'base64') return { bytes: src.data };
  if (src.kind === 'url' && /^s3:\/\//i.test(src.url)) return { s3Location: { uri: src.url } };
  // Converse takes bytes or S3 objects only; the gateway fetches nothing on a client's behalf.
  throw new ProtocolError('Bedrock takes images and documents as base64 data (or s3:// URIs), not URLs', { param: 'messages' });
}

function imageFormat(mediaType: string | undefined, url?: string): ConverseImage['format'] {
  const format = mediaType ? IMAGE_FORMATS[mediaType.toLowerCase()] : undefined;
  if (format) return format;
  const ext = /\.(png|jpe?g|gif|webp)$/i.exec(url ?? '')?.[1]?.toLowerCase();
  if (ext) return ext === 'jpg' ? 'jpeg' : (ext as ConverseImage['format']);
  throw new ProtocolError(`Image type ${mediaType ?? 'unknown'} is not supported by Bedrock (png, jpeg, gif, webp)`, { param: 'messages' });
}

/** `document.name`: alphanumerics, single spaces, hyphens, parentheses and brackets only. */
function documentName(filename: string | undefined, format: string): string {
  const base = (filename ?? '').replace(/\.[a-z0-9]+$/i, '');
  const clean = base
    .replace(/[^A-Za-z0-9\s\-()[\]]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return clean || `document ${format}`;
}

/** An image part is an image unless its type says otherwise (a PDF sent as an image); a file part is a document unless it is an image. */
function mediaBlock(src: IrMediaSource, filename: string | undefined, asImage: boolean): ConverseContentBlock {
  const mediaType = src.mediaType?.toLowerCase();
  const url = src.kind === 'url' ? src.url : undefined;
  if (mediaType?.startsWith('image/') || (!mediaType && asImage)) return { image: { format: imageFormat(mediaType, url), source: source(src) } };
  const format = mediaType ? DOCUMENT_FORMATS[mediaType] : /\.([a-z]+)$/i.exec(filename ?? url ?? '')?.[1]?.toLowerCase();
  if (!format || !Object.values(DOCUMENT_FORMATS).includes(format)) {
    throw new ProtocolError(`File type ${mediaType ?? 'unknown'} is not supported by Bedrock (pdf, csv, doc, docx, xls, xlsx, html, txt, md)`, {
      param: 'messages',
    });
  }
  const doc: ConverseDocument = { format, name: documentName(filename, format), source: source(src) };
  return { document: doc };
}

function toolResultContent(content: IrToolResultContent[]): ConverseToolResultContent[] {
  const out: ConverseToolResultContent[] = [];
  for (const c of content) {
    if (c.type === 'text') {
      if (c.text.length > 0) out.push({ text: c.text });
    } else {
      const block = c.type === 'file' ? mediaBlock(c.source, c.filename, false) : mediaBlock(c.source, undefined, true);
      if ('image' in block) out.push({ image: block.image });
      else if ('document' in block) out.push({ document: block.document });
    }
  }
  // An empty result is a blank text block, which Converse rejects.
  if (out.length === 0) out.push({ text: PLACEHOLDER });
  return out;
}

function encodeTools(ir: IrRequest, messages: ConverseMessage[]): ConverseRequest['toolConfig'] | undefined {
  let tools = ir.tools;
  const c = ir.toolChoice;
  let choice: ConverseToolChoice | undefined;
  // Converse has no "none": a call that must not use tools is sent without them.
  if (c?.type === 'none') tools = [];
  else if (c?.type === 'tool') choice = { tool: { name: c.name } };
  else if (c) {
    if (c.allowed) {
      const allowed = new Set(c.allowed);
      tools = tools.filter((t) => allowed.has(t.name));
    }
    choice = c.type === 'required' ? { any: {} } : { auto: {} };
  }
  const specs: ConverseTool[] = [];
  for (const t of tools) {
    specs.push({
      toolSpec: { name: t.name, ...(t.description ? { description: t.description } : {}), inputSchema: { json: toAnthropicInputSchema(t.parameters) } },
    });
    if (t.cacheControl) specs.push({ cachePoint: cachePoint(t.cacheControl) });
  }
  if (specs.length > 0) return choice ? { tools: specs, toolChoice: choice } : { tools: specs };
  const names = historyToolNames(messages);
  // toolUse/toolResult blocks without a toolConfig are a 400 ("toolConfig field must be defined"): declare the
  // names the history used, with no choice forced.
  if (names.length === 0) return undefined;
  return { tools: names.map((name) => ({ toolSpec: { name, inputSchema: { json: { type: 'object', properties: {} } } } })) };
}

function historyToolNames(messages: ConverseMessage[]): string[] {
  const names = new Set<string>();
  let toolBlocks = false;
  for (const m of messages)
    for (const b of m.content) {
      if ('toolUse' in b) names.add(b.toolUse.name);
      if ('toolUse' in b || 'toolResult' in b) toolBlocks = true;
    }
  if (toolBlocks && names.size === 0) names.add('tool');
  return [...names];
}

/** A toolResult must answer a toolUse of the turn just before; orphans (an edited history) become text. */
function fixToolResultAdjacency(messages: ConverseMessage[]): void {
  let prevToolIds = new Set<string>();
  for (const m of messages) {
    if (m.role === 'assistant') {
      prevToolIds = new Set(m.content.flatMap((b) => ('toolUse' in b ? [b.toolUse.toolUseId] : [])));
      continue;
    }
    m.content = m.content.map((b) => {
      if (!('toolResult' in b) || prevToolIds.has(b.toolResult.toolUseId)) return b;
      const text = b.toolResult.content.map((c) => ('text' in c ? c.text : '')).join('\n');
      return { text: `[tool result ${b.toolResult.toolUseId}] ${text}`.trim() };
    });
    prevToolIds = new Set();
  }
}
