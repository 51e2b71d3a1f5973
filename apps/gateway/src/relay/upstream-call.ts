import { providerFor } from '@switchboard/providers';
import type { RuntimeChannel, RuntimeKey } from '../state/routing-table.service';
import type { AttemptContext } from './attempt-context';
import { localFailure, type AttemptFailure, type FailoverPolicy } from './failover-policy';
import { buildUpstreamBody, geminiActionFor } from './upstream-request.builder';

/**
 * The upstream request of one attempt: the channel's protocol for the model, the body in that protocol, the URL and
 * headers (the channel's own, Anthropic's version headers passed through). Written into `ctx` (upstreamProtocol,
 * upstreamModel, convert, body, url, headers); a failure when this channel cannot take the request.
 */
export function prepareUpstreamCall(ctx: AttemptContext, channel: RuntimeChannel, key: RuntimeKey, policy: FailoverPolicy): AttemptFailure | undefined {
  const { call, req } = ctx;
  const adapter = providerFor(channel.type);
  if (!adapter) return localFailure(503, `channel ${channel.id} has an unknown type ${channel.type}`);
  const upstreamModel = channel.modelMapping[ctx.model] ?? ctx.model;
  const upstreamProtocol = adapter.protocolFor(upstreamModel, call.operation, call.protocol);
  if (!upstreamProtocol) return policy.unsupported(channel.id);
  const convert = { upstreamModel, requestedModel: call.model, stream: call.stream, requestId: ctx.requestId, clientBody: call.body };
  try {
    ctx.body = buildUpstreamBody(call, upstreamProtocol, upstreamModel, ctx.model, channel, convert);
  } catch (e) {
    return policy.requestFailure(e);
  }
  const target = adapter.target({
    baseUrl: channel.baseUrl,
    apiKey: key.key,
    model: upstreamModel,
    protocol: upstreamProtocol,
    stream: call.stream,
    geminiAction: geminiActionFor(call, upstreamProtocol),
  });
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json', ...target.headers, ...channel.headers };
  if (call.protocol === 'anthropic' && upstreamProtocol === 'anthropic') {
    for (const h of ['anthropic-version', 'anthropic-beta']) {
      const v = req.headers[h];
      if (typeof v === 'string') headers[h] = v;
    }
  }
  ctx.upstreamModel = upstreamModel;
  ctx.upstreamProtocol = upstreamProtocol;
  ctx.convert = convert;
  ctx.url = target.url;
  ctx.headers = headers;
  return undefined;
}

/** The status the relay acts on: the channel's statusCodeMapping applied to the upstream's. */
export function mappedStatus(channel: RuntimeChannel, statusCode: number): number {
  return channel.statusCodeMapping[String(statusCode)] ?? statusCode;
}
