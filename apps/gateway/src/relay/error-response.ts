import { DomainError } from '@switchboard/contracts';
import { renderError, type GatewayError, type WireProtocol } from '@switchboard/protocols';
import type { FastifyReply } from 'fastify';

/** An error in the inbound protocol's shape, with the request id and, for refusals, their retry headers. */
export function renderRelayError(
  protocol: WireProtocol,
  requestId: string,
  e: DomainError | GatewayError,
): { status: number; headers: Record<string, string>; body: string } {
  const ge: GatewayError =
    e instanceof DomainError
      ? {
          status: e.status,
          message: e.message,
          code: e.code,
          param: typeof e.details.param === 'string' ? e.details.param : undefined,
          retryAfterSeconds: typeof e.details.retryAfterSeconds === 'number' ? e.details.retryAfterSeconds : undefined,
        }
      : e;
  const out = renderError(protocol, ge, requestId);
  const headers: Record<string, string> = { ...out.headers, 'x-request-id': requestId, 'content-type': 'application/json' };
  if (ge.retryAfterSeconds !== undefined) headers['retry-after'] = String(ge.retryAfterSeconds);
  // Rate-limit refusals carry their x-ratelimit-* headers (set by admission).
  if (e instanceof DomainError && e.details.headers && typeof e.details.headers === 'object')
    Object.assign(headers, e.details.headers as Record<string, string>);
  return { status: out.status, headers, body: JSON.stringify(out.body) };
}

/** Sends an error in the inbound protocol's shape (renderRelayError). */
export function sendRelayError(reply: FastifyReply, protocol: WireProtocol, requestId: string, e: DomainError | GatewayError): string {
  const out = renderRelayError(protocol, requestId, e);
  reply.status(out.status).headers(out.headers).send(out.body);
  return out.body;
}
