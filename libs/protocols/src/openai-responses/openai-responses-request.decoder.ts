/** OpenAI Responses request → internal representation. */
import type { IrMessage, IrPart, IrRequest, IrResponseFormat, IrTextPart, IrThinkingPart, IrTool, IrToolChoice, IrToolResultContent } from '../core/ir.types';
import { cacheControlOf, pushParts, textPart } from '../core/ir-build.util';
import { decodeToolCallId, unpackReasoning } from '../core/ids.util';
import { asArray, asBoolean, asNumber, asObject, asString, isObject, objectsOf, type JsonObject } from '../core/json.util';
import { mediaTypeForAudioFormat, mediaTypeFromName, sourceFromUrlish } from '../core/media.util';
import { asEffort } from '../core/reasoning.map';
import { applyReasoningSlot } from '../core/reasoning-carrier.util';
import { ProtocolError } from '../protocol.error';

export function decodeResponsesRequest(body: JsonObject): IrRequest {
  if (typeof body['previous_response_id'] === 'string' || body['conversation'] !== undefined) {
    // Stored state lives at OpenAI; a translated request cannot see it (§3.1).
    throw new ProtocolError('previous_response_id / conversation are only supported for OpenAI Responses models; send the full input instead', {
      param: 'previous_response_id',
    });
  }
  const system: IrTextPart[] = [];
  const instructions = asString(body['instructions']);
  if (instructions) system.push(textPart(instructions));
  const messages: IrMessage[] = [];
  const input = body['input'];
  if (typeof input === 'string') {
    pushParts(messages, 'user', [textPart(input)]);
  } else if (Array.isArray(input)) {
    input.forEach((raw, i) => {
      if (!isObject(raw)) throw new ProtocolError(`input[${i}] must be an object`, { param: `input[${i}]` });
      decodeItem(raw, system, messages);
    });
  } else if (input !== undefined) {
    throw new ProtocolError("'input' must be a string or an array", { param: 'input' });
  }

  const req: IrRequest = { system, messages, tools: toolsOf(body['tools']) };
  const choice = toolChoiceOf(body['tool_choice']);
  if (choice) req.toolChoice = choice;
  const ptc = asBoolean(body['parallel_tool_calls']);
  if (ptc !== undefined) req.parallelToolCalls = ptc;
  const max = asNumber(body['max_output_tokens']);
  if (max !== undefined) req.maxOutputTokens = max;
  const t = asNumber(body['temperature']);
  if (t !== undefined) req.temperature = t;
  const tp = asNumber(body['top_p']);
  if (tp !== undefined) req.topP = tp;
  const tl = asNumber(body['top_logprobs']);
  if (tl !== undefined) {
    req.topLogprobs = tl;
    req.logprobs = true;
  }
  const rf = formatOf(asObject(asObject(body['text'])?.['format']));
  if (rf) req.responseFormat = rf;
  const reasoning = asObject(body['reasoning']);
  if (reasoning) {
    const effort = asEffort(reasoning['effort']);
    const summary = asString(reasoning['summary']);
    req.reasoning = {};
    if (effort) {
      req.reasoning.effort = effort;
      req.reasoning.openAiEffort = true;
    }
    if (summary) req.reasoning.includeThoughts = true;
  }
  const user = asString(body['user']) ?? asString(body['safety_identifier']);
  if (user) req.user = user;
  const md = asObject(body['metadata']);
  if (md) {
    req.metadata = {};
    for (const [k, v] of Object.entries(md)) if (typeof v === 'string') req.metadata[k] = v;
  }
  const tier = asString(body['service_tier']);
  if (tier) req.serviceTier = tier;
  return req;
}

function decodeItem(item: JsonObject, system: IrTextPart[], messages: IrMessage[]): void {
  const type = asString(item['type']) ?? 'message';
  switch (type) {
    case 'message': {
      const role = asString(item['role']);
      if (role === 'system' || role === 'developer') {
        system.push(...contentParts(item['content']).filter((p): p is IrTextPart => p.type === 'text'));
      } else if (role === 'assistant') {
        pushParts(messages, 'assistant', contentParts(item['content']));
      } else {
        pushParts(messages, 'user', contentParts(item['content']));
      }
      break;
    }
    case 'function_call': {
      const decoded = decodeToolCallId(asString(item['call_id']) ?? asString(item['id']) ?? '');
      const part: IrPart = { type: 'tool_call', id: decoded.id, name: asString(item['name']) ?? '', arguments: asString(item['arguments']) ?? '' };
      if (decoded.thoughtSignature) part.thoughtSignature = decoded.thoughtSignature;
      pushParts(messages, 'assistant', [part]);
      break;
    }
    case 'function_call_output': {
      const id = decodeToolCallId(asString(item['call_id']) ?? '').id;
      const output = item['output'];
      const content: IrToolResultContent[] =
        typeof output === 'string'
          ? [{ type: 'text', text: output }]
          : contentParts(output).filter((p): p is IrToolResultContent => p.type === 'text' || p.type === 'image' || p.type === 'file');
      pushParts(messages, 'user', [{ type: 'tool_result', toolCallId: id, content }]);
      break;
    }
    case 'reasoning': {
      const summary = objectsOf(item['summary']).map((s) => asString(s['text']) ?? '');
      const raw = objectsOf(item['content']).map((s) => asString(s['text']) ?? '');
      const text = (summary.length > 0 ? summary : raw).join('\n\n');
      const encrypted = asString(item['encrypted_content']);
      const part: IrThinkingPart = applyReasoningSlot({ type: 'thinking', text }, 'responses-encrypted', encrypted);
      const id = asString(item['id']);
      if (id && !unpackReasoning(encrypted)) part.reasoningId = id;
      pushParts(messages, 'assistant', [part]);
      break;
    }
    default:
      break; // item_reference, hosted-tool items: no cross-protocol form
  }
}

function contentParts(content: unknown): IrPart[] {
  if (typeof content === 'string') return content.length > 0 ? [textPart(content)] : [];
  const parts: IrPart[] = [];
  for (const c of objectsOf(asArray(content))) {
    const cc = cacheControlOf(c['cache_control']);
    switch (c['type']) {
      case 'input_text':
      case 'output_text':
      case 'text':
        if (typeof c['text'] === 'string') parts.push(textPart(c['text'], c['cache_control']));
        break;
      case 'refusal':
        if (typeof c['refusal'] === 'string') parts.push({ type: 'refusal', text: c['refusal'] });
        break;
      case 'input_image': {
        const url = asString(c['image_url']);
        const fileId = asString(c['file_id']);
        const part: IrPart | undefined = url
          ? { type: 'image', source: sourceFromUrlish(url, 'image/jpeg') }
          : fileId
            ? { type: 'image', source: { kind: 'file_id', fileId } }
            : undefined;
        if (!part) break;
        const detail = asString(c['detail']);
        if (detail) part.detail = detail;
        if (cc) part.cacheControl = cc;
        parts.push(part);
        break;
      }
      case 'input_file': {
        const filename = asString(c['filename']);
        const data = asString(c['file_data']);
        const fileId = asString(c['file_id']);
        const fileUrl = asString(c['file_url']);
        const fallback = mediaTypeFromName(filename) ?? 'application/pdf';
        const part: IrPart | undefined = data
          ? { type: 'file', source: sourceFromUrlish(data, fallback) }
          : fileId
            ? { type: 'file', source: { kind: 'file_id', fileId } }
            : fileUrl
              ? { type: 'file', source: { kind: 'url', url: fileUrl, mediaType: mediaTypeFromName(fileUrl) ?? fallback } }
              : undefined;
        if (!part) break;
        if (filename) part.filename = filename;
        if (cc) part.cacheControl = cc;
        parts.push(part);
        break;
      }
      case 'input_audio': {
        const ia = asObject(c['input_audio']);
        const data = asString(ia?.['data']);
        if (data) parts.push({ type: 'audio', data, mediaType: mediaTypeForAudioFormat(asString(ia?.['format'])) });
        break;
      }
      default:
        break;
    }
  }
  return parts;
}

function toolsOf(v: unknown): IrTool[] {
  const tools: IrTool[] = [];
  for (const t of objectsOf(v)) {
    if (t['type'] !== 'function') continue;
    const name = asString(t['name']);
    if (!name) continue;
    const tool: IrTool = { name };
    const description = asString(t['description']);
    if (description) tool.description = description;
    const params = asObject(t['parameters']);
    if (params) tool.parameters = params;
    const strict = asBoolean(t['strict']);
    if (strict !== undefined) tool.strict = strict;
    tools.push(tool);
  }
  return tools;
}

function toolChoiceOf(v: unknown): IrToolChoice | undefined {
  if (v === 'none' || v === 'auto' || v === 'required') return { type: v };
  const o = asObject(v);
  if (!o) return undefined;
  if (o['type'] === 'function') {
    const name = asString(o['name']);
    return name ? { type: 'tool', name } : undefined;
  }
  if (o['type'] === 'allowed_tools') {
    const allowed = objectsOf(o['tools']).flatMap((t) => (asString(t['name']) ? [asString(t['name'])!] : []));
    return { type: o['mode'] === 'required' ? 'required' : 'auto', allowed };
  }
  return undefined;
}

function formatOf(f: JsonObject | undefined): IrResponseFormat | undefined {
  if (!f) return undefined;
  if (f['type'] === 'json_object') return { type: 'json_object' };
  if (f['type'] === 'text') return { type: 'text' };
  if (f['type'] === 'json_schema') {
    const rf: IrResponseFormat = { type: 'json_schema', schema: asObject(f['schema']) ?? { type: 'object' } };
    const name = asString(f['name']);
    if (name) rf.name = name;
    const description = asString(f['description']);
    if (description) rf.description = description;
    const strict = asBoolean(f['strict']);
    if (strict !== undefined) rf.strict = strict;
    return rf;
  }
  return undefined;
}
