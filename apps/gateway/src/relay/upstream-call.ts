import { buildUpstreamCall, isUpstreamCallFailure } from '@switchboard/providers';
import { shapeAttempt } from '../plugins/plugin-stage';
import type { RuntimeChannel, RuntimeKey } from '../state/routing-table.service';
import type { AttemptContext } from './attempt-context';
import { localFailure, type AttemptFailure, type FailoverPolicy } from './failover-policy';

/**
 * The upstream request of one attempt, built by the providers' upstream-call builder (the one the router's prober
 * uses too) and written into `ctx` (upstreamProtocol, upstreamModel, convert, body, url, headers); a failure when this
 * channel cannot take the request.
 */
export function prepareUpstreamCall(ctx: AttemptContext, channel: RuntimeChannel, key: RuntimeKey, policy: FailoverPolicy): AttemptFailure | undefined {
  const stream = (ctx.upstreamStream = shapeAttempt(ctx, channel));
  const built = buildUpstreamCall(channel, key.key, ctx.call, ctx.model, ctx.requestId, ctx.req.headers, stream);
  if (isUpstreamCallFailure(built)) {
    if (built.failure === 'unknown_type') return localFailure(503, built.message);
    if (built.failure === 'unsupported') return policy.unsupported(channel.id);
    return policy.requestFailure(built);
  }
  ctx.upstreamModel = built.upstreamModel;
  ctx.upstreamProtocol = built.upstreamProtocol;
  ctx.convert = built.ctx;
  ctx.body = built.body;
  ctx.url = built.url;
  ctx.headers = built.headers;
  return undefined;
}
