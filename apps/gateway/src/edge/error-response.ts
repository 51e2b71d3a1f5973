import type { DomainError } from '@switchboard/contracts';
import { renderError, type WireProtocol } from '@switchboard/protocols';
import type { FastifyReply } from 'fastify';

/** A domain error as the inbound protocol renders it, with Retry-After and the x-ratelimit-* headers it carries. */
export function renderDomainError(
  protocol: WireProtocol,
  e: DomainError,
  requestId: string,
): { status: number; headers: Record<string, string>; body: unknown } {
  const d = e.details;
  const retryAfterSeconds = typeof d.retryAfterSeconds === 'number' ? d.retryAfterSeconds : undefined;
  const out = renderError(
    protocol,
    { status: e.status, message: e.message, code: e.code, param: typeof d.param === 'string' ? d.param : undefined, retryAfterSeconds },
    requestId,
  );
  const headers: Record<string, string> = { ...out.headers };
  if (d.headers && typeof d.headers === 'object') Object.assign(headers, d.headers as Record<string, string>);
  return { status: out.status, headers, body: out.body };
}

export function sendDomainError(reply: FastifyReply, protocol: WireProtocol, requestId: string, e: DomainError): void {
  const out = renderDomainError(protocol, e, requestId);
  void reply.status(out.status).headers(out.headers).send(out.body);
}
