import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { DomainError } from '@switchboard/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { newRequestId } from '../relay/request-id';
import { releaseUnreadBody } from './edge.hooks';
import { sendDomainError } from './error-response';
import { protocolOfRequest } from './protocol-of-path';

/**
 * The one place HTTP errors are rendered: relay paths in the inbound protocol's shape, everything else as
 * `{ error: { code, message } }`. Always with an x-request-id.
 */
@Catch()
export class EdgeErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger(EdgeErrorFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') return;
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const req = host.switchToHttp().getRequest<FastifyRequest>();
    const e = toDomainError(exception);
    if (e.status >= 500) this.logger.error((exception as Error)?.stack ?? String(exception));
    sendEdgeError(req, reply, e);
  }
}

/** Renders an error for the request's path: its inbound protocol's shape on relay paths, else the admin shape. */
export function sendEdgeError(req: FastifyRequest, reply: FastifyReply, e: DomainError): void {
  if (reply.sent || reply.raw.headersSent) return;
  releaseUnreadBody(req, reply);
  const requestId = (reply.getHeader('x-request-id') as string | undefined) ?? newRequestId();
  const protocol = protocolOfRequest(req);
  if (protocol) {
    sendDomainError(reply, protocol, requestId, e);
    return;
  }
  const headers: Record<string, string> = { 'x-request-id': requestId };
  if (typeof e.details.retryAfterSeconds === 'number') headers['retry-after'] = String(e.details.retryAfterSeconds);
  void reply
    .status(e.status)
    .headers(headers)
    .send({ error: { code: e.code, message: e.message, ...(typeof e.details.field === 'string' ? { field: e.details.field } : {}) } });
}

/**
 * fastify answers some requests before any route or error handler sees them (a URL that does not decode, a path
 * parameter over maxParamLength): rendered here like every other error, not in fastify's own shape.
 */
export function renderFrameworkError(error: Error & { statusCode?: number }, req: FastifyRequest, reply: FastifyReply): void {
  sendEdgeError(req, reply, new DomainError('invalid_request', error.statusCode ?? 400, error.message));
}

export function toDomainError(exception: unknown): DomainError {
  if (exception instanceof DomainError) return exception;
  if (exception instanceof HttpException) {
    return new DomainError(exception.getStatus() === 404 ? 'not_found' : 'http_error', exception.getStatus(), exception.message);
  }
  const fe = exception as { statusCode?: number; code?: string; message?: string };
  if (fe?.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new DomainError('request_too_large', 413, 'Request body is larger than MAX_BODY_BYTES.');
  if (typeof fe?.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return new DomainError('invalid_request', fe.statusCode, fe.message ?? 'bad request');
  }
  return new DomainError('internal', 500, 'internal error');
}
