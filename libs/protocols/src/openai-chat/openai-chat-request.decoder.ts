/** OpenAI Chat Completions request → internal representation. */
import type {
  IrFilePart,
  IrMessage,
  IrPart,
  IrRequest,
  IrResponseFormat,
  IrTextPart,
  IrThinkingPart,
  IrTool,
  IrToolChoice,
  IrToolResultContent,
} from '../core/ir.types';
import { cacheControlOf, pushParts, setCacheControlOnLast, textPart } from '../core/ir-build.util';
import { asArray, asBoolean, asNumber, asObject, asString, isObject, objectsOf, stringsOf, type JsonObject } from '../core/json.util';
import { mediaTypeForAudioFormat, mediaTypeFromName, sourceFromUrlish } from '../core/media.util';
import { asEffort } from '../core/reasoning.map';
import { decodeToolCallId, unpackReasoning } from '../core/ids.util';
import { ProtocolError } from '../protocol.error';

export function decodeOpenAiChatRequest(body: JsonObject): IrRequest {
  const rawMessages = asArray(body['messages']);
  if (!rawMessages) throw new ProtocolError("'messages' must be an array", { param: 'messages' });

  const system: IrTextPart[] = [];
  const messages: IrMessage[] = [];

  rawMessages.forEach((raw, i) => {
    if (!isObject(raw)) throw new ProtocolError(`messages[${i}] must be an object`, { param: `messages[${i}]` });
    const role = asString(raw['role']);
    const msgCache = cacheControlOf(raw['cache_control']);
    switch (role) {
      case 'system':
      case 'developer': {
        const texts = textsOf(raw['content']);
        setCacheControlOnLast(texts, msgCache);
        system.push(...texts);
        break;
      }
      case 'user': {
        const parts = userParts(raw['content'], i);
        setCacheControlOnLast(parts, msgCache);
        pushParts(messages, 'user', parts);
        break;
      }
      case 'assistant': {
        const parts = assistantParts(raw, i);
        setCacheControlOnLast(parts, msgCache);
        pushParts(messages, 'assistant', parts);
        break;
      }
      case 'tool':
      case 'function': {
        const callId = role === 'tool' ? decodeToolCallId(asString(raw['tool_call_id']) ?? '').id : `call_fn_${asString(raw['name']) ?? 'function'}`;
        if (!callId) throw new ProtocolError(`messages[${i}].tool_call_id is required`, { param: `messages[${i}].tool_call_id` });
        const content: IrToolResultContent[] = toolResultContent(raw['content']);
        const part: IrPart = { type: 'tool_result', toolCallId: callId, content };
        const name = asString(raw['name']);
        if (name) part.name = name;
        if (msgCache) part.cacheControl = msgCache;
        pushParts(messages, 'user', [part]);
        break;
      }
      default:
        throw new ProtocolError(`messages[${i}].role '${String(raw['role'])}' is not supported`, { param: `messages[${i}].role` });
    }
  });

  const req: IrRequest = { system, messages, tools: decodeTools(body) };
  const toolChoice = decodeToolChoice(body['tool_choice'] ?? legacyFunctionCall(body['function_call']));
  if (toolChoice) req.toolChoice = toolChoice;
  const ptc = asBoolean(body['parallel_tool_calls']);
  if (ptc !== undefined) req.parallelToolCalls = ptc;

  const maxTokens = asNumber(body['max_completion_tokens']) ?? asNumber(body['max_tokens']);
  if (maxTokens !== undefined) req.maxOutputTokens = maxTokens;
  assignNum(req, 'temperature', body['temperature']);
  assignNum(req, 'topP', body['top_p']);
  assignNum(req, 'topK', body['top_k']);
  assignNum(req, 'n', body['n']);
  assignNum(req, 'seed', body['seed']);
  assignNum(req, 'presencePenalty', body['presence_penalty']);
  assignNum(req, 'frequencyPenalty', body['frequency_penalty']);
  assignNum(req, 'topLogprobs', body['top_logprobs']);
  const logprobs = asBoolean(body['logprobs']);
  if (logprobs !== undefined) req.logprobs = logprobs;
  const stop = body['stop'];
  if (typeof stop === 'string') req.stop = [stop];
  else if (Array.isArray(stop)) req.stop = stringsOf(stop);

  const rf = decodeResponseFormat(body['response_format']);
  if (rf) req.responseFormat = rf;

  const effort = asEffort(body['reasoning_effort']);
  const thinking = asObject(body['thinking']); // non-standard Anthropic-style extra seen in the wild
  if (effort) req.reasoning = { effort, includeThoughts: effort !== 'none', openAiEffort: true };
  else if (thinking && thinking['type'] === 'enabled') {
    req.reasoning = { includeThoughts: true };
    const budget = asNumber(thinking['budget_tokens']);
    if (budget !== undefined) req.reasoning.budgetTokens = budget;
  }

  const user = asString(body['user']) ?? asString(body['safety_identifier']);
  if (user) req.user = user;
  const metadata = asObject(body['metadata']);
  if (metadata) {
    const md: Record<string, string> = {};
    for (const [k, v] of Object.entries(metadata)) if (typeof v === 'string') md[k] = v;
    req.metadata = md;
  }
  const tier = asString(body['service_tier']);
  if (tier) req.serviceTier = tier;
  return req;
}

function assignNum<K extends 'temperature' | 'topP' | 'topK' | 'n' | 'seed' | 'presencePenalty' | 'frequencyPenalty' | 'topLogprobs'>(
  req: IrRequest,
  key: K,
  v: unknown,
): void {
  const n = asNumber(v);
  if (n !== undefined) req[key] = n;
}

function textsOf(content: unknown): IrTextPart[] {
  if (typeof content === 'string') return [textPart(content)];
  return objectsOf(content)
    .filter((p) => typeof p['text'] === 'string')
    .map((p) => textPart(p['text'] as string, p['cache_control']));
}

function userParts(content: unknown, i: number): IrPart[] {
  if (typeof content === 'string') return [textPart(content)];
  if (content === null || content === undefined) return [];
  const arr = asArray(content);
  if (!arr) throw new ProtocolError(`messages[${i}].content must be a string or an array`, { param: `messages[${i}].content` });
  const parts: IrPart[] = [];
  for (const p of objectsOf(arr)) {
    const part = contentPart(p);
    if (part) parts.push(part);
  }
  return parts;
}

function contentPart(p: JsonObject): IrTextPart | Exclude<IrPart, IrThinkingPart> | undefined {
  const cc = cacheControlOf(p['cache_control']);
  switch (p['type']) {
    case 'text':
    case 'input_text':
      return typeof p['text'] === 'string' ? textPart(p['text'], p['cache_control']) : undefined;
    case 'image_url': {
      const iu = p['image_url'];
      const url = typeof iu === 'string' ? iu : asString(asObject(iu)?.['url']);
      if (!url) return undefined;
      const source = sourceFromUrlish(url, 'image/jpeg');
      if (source.kind === 'base64' && source.mediaType === 'application/pdf') {
        return cc ? { type: 'file', source, cacheControl: cc } : { type: 'file', source };
      }
      const part: IrPart = { type: 'image', source };
      const detail = asString(asObject(iu)?.['detail']);
      if (detail) part.detail = detail;
      if (cc) part.cacheControl = cc;
      return part;
    }
    case 'input_audio': {
      const ia = asObject(p['input_audio']);
      const data = asString(ia?.['data']);
      if (!data) return undefined;
      return { type: 'audio', data, mediaType: mediaTypeForAudioFormat(asString(ia?.['format'])) };
    }
    case 'file': {
      const f = asObject(p['file']);
      if (!f) return undefined;
      const filename = asString(f['filename']);
      const fileData = asString(f['file_data']);
      const fileId = asString(f['file_id']);
      const fallbackMime = mediaTypeFromName(filename) ?? 'application/pdf';
      let part: IrFilePart | undefined;
      if (fileData) part = { type: 'file', source: sourceFromUrlish(fileData, fallbackMime) };
      else if (fileId) part = { type: 'file', source: { kind: 'file_id', fileId } };
      if (!part) return undefined;
      if (filename) part.filename = filename;
      if (cc) part.cacheControl = cc;
      return part;
    }
    default:
      return undefined;
  }
}

function assistantParts(raw: JsonObject, i: number): IrPart[] {
  const parts: IrPart[] = [];
  const blocks = objectsOf(raw['thinking_blocks']);
  if (blocks.length > 0) {
    for (const b of blocks) {
      if (b['type'] === 'redacted_thinking') {
        const data = asString(b['data']);
        if (data) parts.push({ type: 'thinking', text: '', redactedData: data });
      } else {
        parts.push(thinkingFromSignature(asString(b['thinking']) ?? '', asString(b['signature'])));
      }
    }
  } else {
    const rc = asString(raw['reasoning_content']) ?? asString(raw['reasoning']);
    if (rc) parts.push({ type: 'thinking', text: rc });
  }
  const content = raw['content'];
  if (typeof content === 'string') {
    if (content.length > 0) parts.push(textPart(content));
  } else if (Array.isArray(content)) {
    for (const p of objectsOf(content)) {
      if ((p['type'] === 'text' || p['type'] === 'output_text') && typeof p['text'] === 'string') parts.push(textPart(p['text'], p['cache_control']));
      else if (p['type'] === 'refusal' && typeof p['refusal'] === 'string') parts.push({ type: 'refusal', text: p['refusal'] });
    }
  }
  const refusal = asString(raw['refusal']);
  if (refusal) parts.push({ type: 'refusal', text: refusal });

  objectsOf(raw['tool_calls']).forEach((tc, j) => {
    const fn = asObject(tc['function']);
    const name = asString(fn?.['name']);
    if (!name) throw new ProtocolError(`messages[${i}].tool_calls[${j}].function.name is required`, { param: `messages[${i}].tool_calls` });
    const decoded = decodeToolCallId(asString(tc['id']) ?? `call_${i}_${j}`);
    const args = fn?.['arguments'];
    const part: IrPart = {
      type: 'tool_call',
      id: decoded.id,
      name,
      arguments: typeof args === 'string' ? args : isObject(args) ? JSON.stringify(args) : '',
    };
    if (decoded.thoughtSignature) part.thoughtSignature = decoded.thoughtSignature;
    const cc = cacheControlOf(tc['cache_control']);
    if (cc) part.cacheControl = cc;
    parts.push(part);
  });
  const fc = asObject(raw['function_call']);
  if (fc && asString(fc['name'])) {
    const name = asString(fc['name'])!;
    parts.push({ type: 'tool_call', id: `call_fn_${name}`, name, arguments: asString(fc['arguments']) ?? '' });
  }
  return parts;
}

export function thinkingFromSignature(text: string, signature: string | undefined): IrThinkingPart {
  const part: IrThinkingPart = { type: 'thinking', text };
  const unpacked = unpackReasoning(signature);
  if (unpacked) Object.assign(part, unpacked);
  else if (signature) part.signature = signature;
  return part;
}

function toolResultContent(content: unknown): IrToolResultContent[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  const out: IrToolResultContent[] = [];
  for (const p of objectsOf(content)) {
    const part = contentPart(p);
    if (part && (part.type === 'text' || part.type === 'image' || part.type === 'file')) out.push(part);
  }
  return out;
}

function decodeTools(body: JsonObject): IrTool[] {
  const tools: IrTool[] = [];
  for (const t of objectsOf(body['tools'])) {
    if (t['type'] !== 'function') continue; // custom / hosted tools have no cross-protocol equivalent
    const fn = asObject(t['function']);
    const name = asString(fn?.['name']);
    if (!fn || !name) continue;
    tools.push(toolFrom(fn, name, t['cache_control']));
  }
  for (const fn of objectsOf(body['functions'])) {
    const name = asString(fn['name']);
    if (name) tools.push(toolFrom(fn, name, undefined));
  }
  return tools;
}

function toolFrom(fn: JsonObject, name: string, cacheControl: unknown): IrTool {
  const tool: IrTool = { name };
  const description = asString(fn['description']);
  if (description) tool.description = description;
  const params = asObject(fn['parameters']);
  if (params) tool.parameters = params;
  const strict = asBoolean(fn['strict']);
  if (strict !== undefined) tool.strict = strict;
  const cc = cacheControlOf(cacheControl ?? fn['cache_control']);
  if (cc) tool.cacheControl = cc;
  return tool;
}

function legacyFunctionCall(v: unknown): unknown {
  if (v === undefined) return undefined;
  if (v === 'none' || v === 'auto') return v;
  const o = asObject(v);
  const name = asString(o?.['name']);
  return name ? { type: 'function', function: { name } } : undefined;
}

export function decodeToolChoice(v: unknown): IrToolChoice | undefined {
  if (v === 'none' || v === 'auto' || v === 'required') return { type: v };
  const o = asObject(v);
  if (!o) return undefined;
  if (o['type'] === 'function') {
    const name = asString(asObject(o['function'])?.['name']) ?? asString(o['name']);
    return name ? { type: 'tool', name } : undefined;
  }
  if (o['type'] === 'allowed_tools') {
    const at = asObject(o['allowed_tools']) ?? o;
    const mode = at['mode'] === 'required' ? 'required' : 'auto';
    const allowed: string[] = [];
    for (const t of objectsOf(at['tools'])) {
      const name = asString(asObject(t['function'])?.['name']) ?? asString(t['name']);
      if (name) allowed.push(name);
    }
    return { type: mode, allowed };
  }
  return undefined;
}

export function decodeResponseFormat(v: unknown): IrResponseFormat | undefined {
  const o = asObject(v);
  if (!o) return undefined;
  if (o['type'] === 'json_object') return { type: 'json_object' };
  if (o['type'] === 'text') return { type: 'text' };
  if (o['type'] === 'json_schema') {
    const js = asObject(o['json_schema']) ?? o;
    const schema = asObject(js['schema']) ?? { type: 'object' };
    const rf: IrResponseFormat = { type: 'json_schema', schema };
    const name = asString(js['name']);
    if (name) rf.name = name;
    const description = asString(js['description']);
    if (description) rf.description = description;
    const strict = asBoolean(js['strict']);
    if (strict !== undefined) rf.strict = strict;
    return rf;
  }
  return undefined;
}
