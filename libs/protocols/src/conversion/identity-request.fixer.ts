/**
 * Same protocol on both sides: the body is forwarded as the client wrote it, with only the
 * gateway's own fixes applied (model, stream flag, seed rules: empty tools, `<cache>` markers).
 */
import { asArray, asObject, deepClone, isObject, objectsOf, type JsonObject } from '../core/json.util';
import { hasCacheMarker, stripCacheMarker } from '../core/media.util';
import type { ConvertContext, WireProtocol } from '../protocol.types';

export function fixIdentityRequest(protocol: WireProtocol, body: JsonObject, ctx: ConvertContext): JsonObject {
  const b = deepClone(body);
  switch (protocol) {
    case 'openai-chat':
      b['model'] = ctx.upstreamModel;
      setStream(b, ctx.stream, true);
      dropEmptyTools(b, ['tool_choice', 'parallel_tool_calls']);
      for (const m of objectsOf(b['messages'])) stripMarkersInContent(m, 'content', false);
      return b;
    case 'openai-responses':
      b['model'] = ctx.upstreamModel;
      setStream(b, ctx.stream, false);
      dropEmptyTools(b, ['tool_choice', 'parallel_tool_calls']);
      if (typeof b['instructions'] === 'string') b['instructions'] = stripCacheMarker(b['instructions']).text;
      if (typeof b['input'] === 'string') b['input'] = stripCacheMarker(b['input']).text;
      for (const item of objectsOf(b['input'])) stripMarkersInContent(item, 'content', false);
      return b;
    case 'anthropic':
      b['model'] = ctx.upstreamModel;
      setStream(b, ctx.stream, false);
      dropEmptyTools(b, ['tool_choice']);
      stripMarkersInContent(b, 'system', true);
      for (const m of objectsOf(b['messages'])) stripMarkersInContent(m, 'content', true);
      return b;
    case 'gemini': {
      delete b['model'];
      dropEmptyTools(b, ['toolConfig', 'tool_config']);
      for (const c of objectsOf(b['contents'])) stripMarkersInGeminiParts(c);
      stripMarkersInGeminiParts(asObject(b['systemInstruction']) ?? asObject(b['system_instruction']));
      const model = ctx.upstreamModel.startsWith('models/') ? ctx.upstreamModel : `models/${ctx.upstreamModel}`;
      for (const r of objectsOf(b['requests'])) r['model'] = model; // batchEmbedContents
      return b;
    }
    default:
      b['model'] = ctx.upstreamModel;
      if (protocol === 'openai-completions') setStream(b, ctx.stream, true);
      return b;
    case 'openai-embeddings':
      b['model'] = ctx.upstreamModel;
      return b;
  }
}

function setStream(b: JsonObject, stream: boolean, chat: boolean): void {
  if (stream) {
    // The gateway streams a non-stream client's request (stream-fake): OpenAI reports usage in a stream only if asked.
    if (chat && b['stream'] !== true) b['stream_options'] = { include_usage: true };
    b['stream'] = true;
  } else {
    delete b['stream'];
    if (chat) delete b['stream_options']; // only valid with stream: true
  }
}

/** Seed rule / §10.1: `tools: []` is rejected upstream, and so is a tool_choice without tools. */
function dropEmptyTools(b: JsonObject, dependents: string[]): void {
  const tools = asArray(b['tools']);
  if (tools && tools.length === 0) delete b['tools'];
  if (b['tools'] === undefined) for (const k of dependents) delete b[k];
}

function stripMarkersInContent(holder: JsonObject, key: string, toCacheControl: boolean): void {
  const content = holder[key];
  if (typeof content === 'string') {
    if (!hasCacheMarker(content)) return;
    const s = stripCacheMarker(content);
    holder[key] = toCacheControl ? [{ type: 'text', text: s.text, cache_control: { type: 'ephemeral' } }] : s.text;
    return;
  }
  for (const part of objectsOf(content)) {
    if (typeof part['text'] !== 'string' || !hasCacheMarker(part['text'])) continue;
    part['text'] = stripCacheMarker(part['text']).text;
    if (toCacheControl && !isObject(part['cache_control'])) part['cache_control'] = { type: 'ephemeral' };
  }
}

function stripMarkersInGeminiParts(content: JsonObject | undefined): void {
  for (const p of objectsOf(content?.['parts'])) {
    if (typeof p['text'] === 'string' && hasCacheMarker(p['text'])) p['text'] = stripCacheMarker(p['text']).text;
  }
}
