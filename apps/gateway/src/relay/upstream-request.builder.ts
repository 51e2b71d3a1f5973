import type { InboundCall } from './inbound';
import type { RuntimeChannel } from '../state/routing-table.service';
import { convertRequest, type ConvertContext, type WireProtocol } from '@switchboard/protocols';

function mergeDeep(target: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...target };
  for (const [k, v] of Object.entries(patch)) {
    const cur = out[k];
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && cur && typeof cur === 'object' && !Array.isArray(cur)
        ? mergeDeep(cur as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}

const CACHE_MARKER = Buffer.from('<cache>');

export function needsSeedFix(call: InboundCall): boolean {
  return (Array.isArray(call.body.tools) && call.body.tools.length === 0) || call.raw.includes(CACHE_MARKER);
}

/** Gemini upstream path action: the client's own when it spoke Gemini; OpenAI embeddings go to batchEmbedContents. */
export function geminiActionFor(call: InboundCall, upstream: WireProtocol): string | undefined {
  if (upstream !== 'gemini') return undefined;
  if (call.protocol === 'gemini') return call.geminiAction;
  return call.operation === 'embed' ? 'batchEmbedContents' : undefined;
}

/** Same protocol and nothing to change: the client's bytes go upstream untouched; otherwise the converted body. */
export function buildUpstreamBody(
  call: InboundCall,
  upstreamProtocol: WireProtocol,
  upstreamModel: string,
  routeModel: string,
  channel: RuntimeChannel,
  ctx: ConvertContext,
): Buffer | string {
  const hasOverride = Object.keys(channel.paramOverride).length > 0;
  if (call.protocol === upstreamProtocol) {
    // The seed's fixes (`tools: []` drops tool_choice, `<cache>` markers) need the converter even on pass-through.
    if (needsSeedFix(call)) {
      let fixed = convertRequest(call.protocol, upstreamProtocol, call.body, ctx);
      if (hasOverride) fixed = mergeDeep(fixed, channel.paramOverride);
      return JSON.stringify(fixed);
    }
    const sameModel = upstreamProtocol === 'gemini' || upstreamModel === call.model;
    if (sameModel && !hasOverride && routeModel === call.model) return call.raw;
    let body: Record<string, unknown> = upstreamProtocol === 'gemini' ? call.body : { ...call.body, model: upstreamModel };
    if (hasOverride) body = mergeDeep(body, channel.paramOverride);
    return JSON.stringify(body);
  }
  let body = convertRequest(call.protocol, upstreamProtocol, call.body, ctx);
  if (hasOverride) body = mergeDeep(body, channel.paramOverride);
  return JSON.stringify(body);
}
