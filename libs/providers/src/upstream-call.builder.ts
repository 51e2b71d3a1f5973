import { convertRequest, protocolDescriptor, type ConvertContext, type WireProtocol } from '@switchboard/protocols';
import { geminiActionFor } from './gemini/gemini-action.util';
import { providerFor } from './registry';
import type { InboundRequest, UpstreamBody, UpstreamCall, UpstreamCallArgs, UpstreamCallFailure, UpstreamChannel } from './upstream-call.types';

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

/** The seed's fixes (`tools: []` drops tool_choice, `<cache>` markers) need the converter even on pass-through. */
export function needsSeedFix(call: InboundRequest): boolean {
  return (Array.isArray(call.body.tools) && call.body.tools.length === 0) || call.raw.includes(CACHE_MARKER);
}

/**
 * An upload for an upstream of the same protocol: the client's fields (the model mapped, the channel's overrides of
 * text fields applied) and files, in the client's order. The sender sets the content type with the form's boundary.
 */
export function uploadForm(call: InboundRequest, upstreamModel: string, channel: Pick<UpstreamChannel, 'paramOverride'>): FormData {
  const fields: Record<string, unknown> = { ...call.body, model: upstreamModel };
  for (const [k, v] of Object.entries(channel.paramOverride)) if (typeof v !== 'object' || v === null || Array.isArray(v)) fields[k] = v;
  const form = new FormData();
  const text = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined || v === null) continue;
    if (Array.isArray(v)) for (const item of v) form.append(`${k}[]`, text(item));
    else form.append(k, text(v));
  }
  for (const f of call.files ?? []) if (f.blob) form.append(f.field, f.blob, f.filename);
  return form;
}

/** Same protocol and nothing to change: the client's bytes go upstream untouched; otherwise the converted body. */
export function buildUpstreamBody(
  call: InboundRequest,
  upstreamProtocol: WireProtocol,
  upstreamModel: string,
  routeModel: string,
  channel: Pick<UpstreamChannel, 'paramOverride'>,
  ctx: ConvertContext,
): UpstreamBody {
  if (call.files && call.protocol === upstreamProtocol) return uploadForm(call, upstreamModel, channel);
  const hasOverride = Object.keys(channel.paramOverride).length > 0;
  if (call.protocol === upstreamProtocol) {
    // A stream the gateway asks for on its own (stream-fake) changes the body: the identity fixer sets it.
    if (needsSeedFix(call) || ctx.stream !== call.stream) {
      let fixed = convertRequest(call.protocol, upstreamProtocol, call.body, ctx);
      if (hasOverride) fixed = mergeDeep(fixed, channel.paramOverride);
      return JSON.stringify(fixed);
    }
    // A protocol that names the model in the path (Gemini) gets it in the URL: its body is left alone.
    const modelInPath = protocolDescriptor(upstreamProtocol).modelIn === 'path';
    const sameModel = modelInPath || upstreamModel === call.model;
    if (sameModel && !hasOverride && routeModel === call.model) return call.raw;
    let body: Record<string, unknown> = modelInPath ? call.body : { ...call.body, model: upstreamModel };
    if (hasOverride) body = mergeDeep(body, channel.paramOverride);
    return JSON.stringify(body);
  }
  let body = convertRequest(call.protocol, upstreamProtocol, call.body, ctx);
  if (hasOverride) body = mergeDeep(body, channel.paramOverride);
  return JSON.stringify(body);
}

const NO_CONFIG: Readonly<Record<string, unknown>> = Object.freeze({});

/** Chat and embeddings: every channel type decides alone; the rest (and completions' path) a channel may declare. */
const ALWAYS_SERVED = new Set(['generate', 'embed']);

/**
 * The protocol a channel would speak upstream for this call, or null when it does not serve the call's endpoint
 * family: its declared `endpoints` when it has them, else its type's defaults (capability routing).
 */
export function upstreamProtocolOf(
  channel: Pick<UpstreamChannel, 'type' | 'endpoints'>,
  call: Pick<InboundRequest, 'operation' | 'protocol' | 'endpoint'>,
  upstreamModel: string,
): WireProtocol | null {
  const adapter = providerFor(channel.type);
  if (!adapter) return null;
  const endpoints = channel.endpoints;
  const declared = !!endpoints?.length && endpoints.includes(call.endpoint);
  if (endpoints?.length && !declared && !ALWAYS_SERVED.has(call.operation)) return null;
  return adapter.protocolFor(upstreamModel, call.operation, call.protocol, declared);
}

/**
 * A channel's upstream request for one inbound call (positional arguments: the relay calls this per attempt, on the
 * hot path, and an arguments object would be one more allocation), the same for the relay and the router's probe: the provider
 * picks the protocol, URL and auth; the channel adds its model mapping, body override and headers (over the
 * provider's), and the client's protocol headers (API version, beta flags) follow when both sides speak it.
 * `upstreamStream` (default: the client's `stream`) asks the upstream for a stream a non-stream client did not ask for
 * (the stream-fake plugin; the relay aggregates the answer).
 */
export function buildUpstreamCall(
  channel: UpstreamChannel,
  apiKey: string,
  call: InboundRequest,
  routeModel: string,
  requestId: string,
  clientHeaders?: UpstreamCallArgs['clientHeaders'],
  upstreamStream = call.stream,
): UpstreamCall | UpstreamCallFailure {
  const adapter = providerFor(channel.type);
  if (!adapter) return { failure: 'unknown_type', message: `channel ${channel.id} has an unknown type ${channel.type}` };
  const upstreamModel = channel.modelMapping[routeModel] ?? routeModel;
  const upstreamProtocol = upstreamProtocolOf(channel, call, upstreamModel);
  if (!upstreamProtocol) return { failure: 'unsupported', message: `channel ${channel.id} does not serve ${call.endpoint}` };
  const ctx: ConvertContext = { upstreamModel, requestedModel: call.model, stream: upstreamStream, requestId: requestId, clientBody: call.body };
  let body: UpstreamBody;
  try {
    body = buildUpstreamBody(call, upstreamProtocol, upstreamModel, routeModel, channel, ctx);
  } catch (e) {
    const err = e as { status?: number; message?: string; type?: string; param?: string };
    return { failure: 'invalid_request', status: err.status ?? 400, message: err.message ?? 'invalid request', type: err.type, param: err.param };
  }
  const target = adapter.target({
    baseUrl: channel.baseUrl,
    apiKey: apiKey,
    model: upstreamModel,
    protocol: upstreamProtocol,
    stream: upstreamStream,
    operation: call.operation,
    geminiAction: streamedAction(geminiActionFor(call, upstreamProtocol, upstreamModel), upstreamStream),
    config: channel.config ?? NO_CONFIG,
  });
  // A form's content type (with its boundary) is the sender's to set.
  const base: Record<string, string> =
    body instanceof FormData ? { accept: 'application/json' } : { 'content-type': 'application/json', accept: 'application/json' };
  const headers: Record<string, string> = { ...base, ...target.headers, ...channel.headers };
  if (call.protocol === upstreamProtocol && clientHeaders) {
    for (const h of protocolDescriptor(call.protocol).passthroughHeaders) {
      const v = clientHeaders[h];
      if (typeof v === 'string') headers[h] = v;
    }
  }
  return { url: target.url, headers, body, upstreamProtocol, upstreamModel, ctx };
}

/** A Gemini client's own action names its stream: one the gateway asks for turns generateContent into its stream. */
function streamedAction(action: string | undefined, stream: boolean): string | undefined {
  return stream && action === 'generateContent' ? 'streamGenerateContent' : action;
}

export function isUpstreamCallFailure(r: UpstreamCall | UpstreamCallFailure): r is UpstreamCallFailure {
  return 'failure' in r;
}

/** The status the gateway acts on for an upstream status: the channel's statusCodeMapping, else the status itself. */
export function mapStatus(channel: Pick<UpstreamChannel, 'statusCodeMapping'>, code: number): number {
  return channel.statusCodeMapping[String(code)] ?? code;
}
