/** Internal representation → Kiro `generateAssistantResponse` body, with the rules its backend enforces (§3.2). */
import { createHash } from 'node:crypto';
import type { IrMessage, IrPart, IrRequest, IrTool, IrToolResultPart } from '../core/ir.types';
import { normalizeConversation } from '../core/ir-build.util';
import { isObject, tryParseJson } from '../core/json.util';
import type { ConvertContext } from '../protocol.types';
import { ProtocolError } from '../protocol.error';
import { kiroModelId } from './kiro-model.map';
import type {
  KiroAssistantResponseMessage,
  KiroHistoryEntry,
  KiroImage,
  KiroRequest,
  KiroToolResult,
  KiroToolSpec,
  KiroToolUse,
  KiroUserInputMessage,
} from './kiro.types';

/** Kiro refuses a request with an empty `content` ("Improperly formed request."): these stand in for none. */
const CONTINUE = 'Continue';
const TOOL_RESULTS = 'Tool results provided.';
const ASSISTANT_PLACEHOLDER = '...';
/** Kiro's tool-name limit; longer names are shortened and mapped back on the way out. */
export const KIRO_MAX_TOOL_NAME = 64;
/** Longer descriptions are cut (AIClient-2-API's bound; the backend refuses very long ones). */
export const KIRO_MAX_TOOL_DESCRIPTION = 9216;
const IMAGE_FORMATS: Readonly<Record<string, string>> = {
  'image/png': 'png',
  'image/jpeg': 'jpeg',
  'image/jpg': 'jpeg',
  'image/gif': 'gif',
  'image/webp': 'webp',
};

/** A name over 64 characters → its first 55, `_` and 8 hex digits of its hash: stable, so history replays match. */
export function kiroToolName(name: string): string {
  if (name.length <= KIRO_MAX_TOOL_NAME) return name;
  return `${name.slice(0, KIRO_MAX_TOOL_NAME - 9)}_${createHash('sha256').update(name).digest('hex').slice(0, 8)}`;
}

/** A v4-shaped id from the request id: the same request converts to the same bytes (retries, tests). */
function conversationId(requestId: string): string {
  const h = createHash('sha256').update(`kiro:${requestId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h[16], 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

class ToolNames {
  /** shortened → the client's name */
  readonly back: Record<string, string> = {};

  short(name: string): string {
    const s = kiroToolName(name);
    if (s !== name) this.back[s] = name;
    return s;
  }
}

function image(p: Extract<IrPart, { type: 'image' }>): KiroImage {
  if (p.source.kind !== 'base64') {
    throw new ProtocolError('Kiro takes images as inline data (base64 or a data: URL), not by URL or file id', { param: 'messages' });
  }
  const format = IMAGE_FORMATS[p.source.mediaType.toLowerCase()];
  if (!format) throw new ProtocolError(`Kiro does not accept images of type ${p.source.mediaType}`, { param: 'messages' });
  return { format, source: { bytes: p.source.data } };
}

function toolResultText(r: IrToolResultPart): string {
  const text = r.content
    .map((c) => (c.type === 'text' ? c.text : ''))
    .filter((t) => t.length > 0)
    .join('\n');
  return text.length > 0 ? text : '(no output)';
}

function userMessage(m: IrMessage, modelId: string, answeredIds: ReadonlySet<string>): KiroUserInputMessage {
  const texts: string[] = [];
  const images: KiroImage[] = [];
  const results: KiroToolResult[] = [];
  const seen = new Set<string>();
  for (const p of m.parts) {
    switch (p.type) {
      case 'text':
        texts.push(p.text);
        break;
      case 'image':
        images.push(image(p));
        break;
      case 'tool_result':
        for (const c of p.content) if (c.type === 'image') images.push(image(c));
        if (seen.has(p.toolCallId)) break; // a client that repeats a result would make the whole request malformed
        seen.add(p.toolCallId);
        if (answeredIds.has(p.toolCallId)) {
          results.push({ toolUseId: p.toolCallId, status: p.isError ? 'error' : 'success', content: [{ text: toolResultText(p) }] });
        } else {
          // A result for a call the previous turn did not make is refused as structure; as text it still informs.
          texts.push(`Tool result (${p.toolCallId}): ${toolResultText(p)}`);
        }
        break;
      case 'refusal':
        texts.push(p.text);
        break;
      case 'file':
      case 'audio':
        throw new ProtocolError(`Kiro does not accept ${p.type} parts (text, images and tool results only)`, { param: 'messages' });
      default:
        break;
    }
  }
  const content = texts.join('\n\n').trim() ? texts.join('\n\n') : results.length ? TOOL_RESULTS : CONTINUE;
  const msg: KiroUserInputMessage = { content, modelId, origin: 'AI_EDITOR' };
  if (images.length) msg.images = images;
  if (results.length) msg.userInputMessageContext = { toolResults: results };
  return msg;
}

function assistantMessage(m: IrMessage, names: ToolNames): KiroAssistantResponseMessage {
  const texts: string[] = [];
  const toolUses: KiroToolUse[] = [];
  for (const p of m.parts) {
    if (p.type === 'text' || p.type === 'refusal') texts.push(p.text);
    else if (p.type === 'tool_call') {
      const parsed = tryParseJson(p.arguments || '{}');
      toolUses.push({ toolUseId: p.id, name: names.short(p.name), input: isObject(parsed) ? parsed : {} });
    }
    // thinking is not replayed: Kiro has no field for it and the signature is Anthropic's, not Kiro's
  }
  const content = texts.join('\n\n');
  const msg: KiroAssistantResponseMessage = { content: content.trim() ? content : ASSISTANT_PLACEHOLDER };
  if (toolUses.length) msg.toolUses = toolUses;
  return msg;
}

function toolSpec(t: IrTool, names: ToolNames): KiroToolSpec {
  const description = (t.description ?? '').trim() || t.name;
  return {
    toolSpecification: {
      name: names.short(t.name),
      description: description.length > KIRO_MAX_TOOL_DESCRIPTION ? description.slice(0, KIRO_MAX_TOOL_DESCRIPTION) : description,
      inputSchema: { json: t.parameters && isObject(t.parameters) ? { ...t.parameters } : { type: 'object', properties: {} } },
    },
  };
}

export function encodeKiroRequest(ir: IrRequest, ctx: ConvertContext): KiroRequest {
  const modelId = kiroModelId(ctx.upstreamModel);
  const names = new ToolNames();
  // Strict alternation (same-role neighbours merged), starting with the user and ending with the user's turn.
  const conversation = normalizeConversation(ir.messages);
  if (conversation.length === 0) throw new ProtocolError('At least one message with content is required', { param: 'messages' });
  if (conversation[0].role === 'assistant') conversation.unshift({ role: 'user', parts: [{ type: 'text', text: CONTINUE }] });
  if (conversation[conversation.length - 1].role === 'assistant') conversation.push({ role: 'user', parts: [{ type: 'text', text: CONTINUE }] });

  const entries: KiroHistoryEntry[] = [];
  let calledIds = new Set<string>();
  for (const m of conversation) {
    if (m.role === 'assistant') {
      const a = assistantMessage(m, names);
      calledIds = new Set((a.toolUses ?? []).map((t) => t.toolUseId));
      entries.push({ assistantResponseMessage: a });
    } else {
      entries.push({ userInputMessage: userMessage(m, modelId, calledIds) });
      calledIds = new Set();
    }
  }
  // Kiro has no system role: the instructions open the first user turn.
  const system = ir.system
    .map((s) => s.text)
    .filter((t) => t.trim().length > 0)
    .join('\n\n');
  const first = (entries[0] as { userInputMessage: KiroUserInputMessage }).userInputMessage;
  if (system) first.content = `${system}\n\n${first.content}`;

  const current = (entries.pop() as { userInputMessage: KiroUserInputMessage }).userInputMessage;
  if (ir.tools.length) {
    current.userInputMessageContext = { ...current.userInputMessageContext, tools: ir.tools.map((t) => toolSpec(t, names)) };
  }
  if (Object.keys(names.back).length) ctx.upstreamToolNames = names.back;
  return {
    conversationState: {
      agentTaskType: 'vibe',
      chatTriggerType: 'MANUAL',
      conversationId: conversationId(ctx.requestId),
      ...(entries.length ? { history: entries } : {}),
      currentMessage: { userInputMessage: current },
    },
  };
}
