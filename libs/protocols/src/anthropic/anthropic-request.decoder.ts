/** Anthropic Messages request → internal representation. */
import type { IrMediaSource, IrPart, IrRequest, IrTextPart, IrTool, IrToolChoice, IrToolResultContent, IrMessage } from '../core/ir.types';
import { cacheControlOf, pushParts, textPart } from '../core/ir-build.util';
import { decodeToolCallId } from '../core/ids.util';
import { asArray, asBoolean, asNumber, asObject, asString, isObject, objectsOf, stringsOf, type JsonObject } from '../core/json.util';
import { asEffort } from '../core/reasoning.map';
import { applyReasoningSlot } from '../core/reasoning-carrier.util';
import { ProtocolError } from '../protocol.error';

export function decodeAnthropicRequest(body: JsonObject): IrRequest {
  const rawMessages = asArray(body['messages']);
  if (!rawMessages) throw new ProtocolError('messages: Field required', { param: 'messages' });
  const system: IrTextPart[] = systemOf(body['system']);
  const messages: IrMessage[] = [];
  rawMessages.forEach((raw, i) => {
    if (!isObject(raw)) throw new ProtocolError(`messages.${i}: Input should be an object`, { param: `messages.${i}` });
    const role = raw['role'];
    if (role === 'system') {
      system.push(...systemOf(raw['content'])); // 2026-10-21 API: system turns inside messages
      return;
    }
    if (role !== 'user' && role !== 'assistant') {
      throw new ProtocolError(`messages.${i}.role: Input should be 'user' or 'assistant'`, { param: `messages.${i}.role` });
    }
    pushParts(messages, role, blocksToParts(raw['content']));
  });

  const req: IrRequest = { system, messages, tools: toolsOf(body['tools']) };
  const tc = asObject(body['tool_choice']);
  if (tc) {
    const choice = toolChoiceOf(tc);
    if (choice) req.toolChoice = choice;
    if (asBoolean(tc['disable_parallel_tool_use']) === true) req.parallelToolCalls = false;
  }
  const maxTokens = asNumber(body['max_tokens']);
  if (maxTokens !== undefined) req.maxOutputTokens = maxTokens;
  const t = asNumber(body['temperature']);
  if (t !== undefined) req.temperature = t;
  const tp = asNumber(body['top_p']);
  if (tp !== undefined) req.topP = tp;
  const tk = asNumber(body['top_k']);
  if (tk !== undefined) req.topK = tk;
  const stop = stringsOf(body['stop_sequences']);
  if (stop.length > 0) req.stop = stop;

  const thinking = asObject(body['thinking']);
  const outputConfig = asObject(body['output_config']);
  const effort = asEffort(outputConfig?.['effort']);
  if (thinking?.['type'] === 'enabled') {
    req.reasoning = { includeThoughts: true };
    const budget = asNumber(thinking['budget_tokens']);
    if (budget !== undefined) req.reasoning.budgetTokens = budget;
    if (effort) req.reasoning.effort = effort;
  } else if (thinking?.['type'] === 'adaptive') {
    req.reasoning = effort ? { includeThoughts: true, effort } : { includeThoughts: true, budgetTokens: -1 };
  } else if (thinking?.['type'] === 'disabled') {
    req.reasoning = { budgetTokens: 0 };
  } else if (effort) {
    req.reasoning = { effort };
  }
  const format = asObject(outputConfig?.['format']);
  const schema = asObject(format?.['schema']);
  if (format?.['type'] === 'json_schema' && schema) req.responseFormat = { type: 'json_schema', schema };

  const userId = asString(asObject(body['metadata'])?.['user_id']);
  if (userId) req.user = userId;
  const tier = asString(body['service_tier']);
  if (tier) req.serviceTier = tier;
  return req;
}

function systemOf(v: unknown): IrTextPart[] {
  if (typeof v === 'string') return v.length > 0 ? [textPart(v)] : [];
  return objectsOf(v)
    .filter((b) => typeof b['text'] === 'string')
    .map((b) => textPart(b['text'] as string, b['cache_control']));
}

export function anthropicSourceToIr(src: JsonObject | undefined, fallbackMediaType: string): IrMediaSource | undefined {
  if (!src) return undefined;
  switch (src['type']) {
    case 'base64': {
      const data = asString(src['data']);
      return data ? { kind: 'base64', mediaType: asString(src['media_type']) ?? fallbackMediaType, data } : undefined;
    }
    case 'url': {
      const url = asString(src['url']);
      return url ? { kind: 'url', url } : undefined;
    }
    case 'file': {
      const fileId = asString(src['file_id']);
      return fileId ? { kind: 'file_id', fileId } : undefined;
    }
    case 'text': {
      const data = asString(src['data']);
      return data !== undefined ? { kind: 'base64', mediaType: 'text/plain', data: Buffer.from(data, 'utf8').toString('base64') } : undefined;
    }
    default:
      return undefined;
  }
}

function blocksToParts(content: unknown): IrPart[] {
  if (typeof content === 'string') return [textPart(content)];
  const parts: IrPart[] = [];
  for (const b of objectsOf(content)) {
    const part = blockToPart(b);
    if (part) parts.push(part);
  }
  return parts;
}

function blockToPart(b: JsonObject): IrPart | undefined {
  const cc = cacheControlOf(b['cache_control']);
  switch (b['type']) {
    case 'text':
      return typeof b['text'] === 'string' ? textPart(b['text'], b['cache_control']) : undefined;
    case 'image': {
      const source = anthropicSourceToIr(asObject(b['source']), 'image/png');
      if (!source) return undefined;
      return cc ? { type: 'image', source, cacheControl: cc } : { type: 'image', source };
    }
    case 'document': {
      const source = anthropicSourceToIr(asObject(b['source']), 'application/pdf');
      if (!source) {
        // content-sourced documents: flatten their text
        const inner = objectsOf(asObject(b['source'])?.['content'])
          .map((x) => asString(x['text']) ?? '')
          .join('\n');
        return inner ? { type: 'text', text: inner } : undefined;
      }
      const part: IrPart = { type: 'file', source };
      const title = asString(b['title']);
      if (title) part.filename = title;
      if (cc) part.cacheControl = cc;
      return part;
    }
    case 'tool_use': {
      const name = asString(b['name']);
      if (!name) return undefined;
      const decoded = decodeToolCallId(asString(b['id']) ?? '');
      const input = b['input'];
      const part: IrPart = { type: 'tool_call', id: decoded.id, name, arguments: JSON.stringify(isObject(input) ? input : {}) };
      if (decoded.thoughtSignature) part.thoughtSignature = decoded.thoughtSignature;
      if (cc) part.cacheControl = cc;
      return part;
    }
    case 'tool_result': {
      const id = decodeToolCallId(asString(b['tool_use_id']) ?? '').id;
      const part: IrPart = { type: 'tool_result', toolCallId: id, content: toolResultContent(b['content']) };
      if (asBoolean(b['is_error'])) part.isError = true;
      if (cc) part.cacheControl = cc;
      return part;
    }
    case 'thinking':
      return applyReasoningSlot({ type: 'thinking', text: asString(b['thinking']) ?? '' }, 'anthropic-signature', asString(b['signature']));
    case 'redacted_thinking': {
      const data = asString(b['data']);
      return data ? { type: 'thinking', text: '', redactedData: data } : undefined;
    }
    default:
      return undefined; // server tool blocks, search results, container uploads: no cross-protocol form
  }
}

function toolResultContent(content: unknown): IrToolResultContent[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  const out: IrToolResultContent[] = [];
  for (const b of objectsOf(content)) {
    const p = blockToPart(b);
    if (p && (p.type === 'text' || p.type === 'image' || p.type === 'file')) out.push(p);
  }
  return out;
}

function toolsOf(v: unknown): IrTool[] {
  const tools: IrTool[] = [];
  for (const t of objectsOf(v)) {
    const type = asString(t['type']);
    if (type && type !== 'custom') continue; // server tools (web_search_…, bash_…) stay Anthropic-only
    const name = asString(t['name']);
    if (!name) continue;
    const tool: IrTool = { name };
    const description = asString(t['description']);
    if (description) tool.description = description;
    const schema = asObject(t['input_schema']);
    if (schema) tool.parameters = schema;
    const strict = asBoolean(t['strict']);
    if (strict !== undefined) tool.strict = strict;
    const cc = cacheControlOf(t['cache_control']);
    if (cc) tool.cacheControl = cc;
    tools.push(tool);
  }
  return tools;
}

function toolChoiceOf(tc: JsonObject): IrToolChoice | undefined {
  switch (tc['type']) {
    case 'auto':
      return { type: 'auto' };
    case 'any':
      return { type: 'required' };
    case 'none':
      return { type: 'none' };
    case 'tool': {
      const name = asString(tc['name']);
      return name ? { type: 'tool', name } : undefined;
    }
    default:
      return undefined;
  }
}
