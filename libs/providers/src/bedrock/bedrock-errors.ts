import type { GatewayError } from '@switchboard/protocols';

const MAX_MESSAGE = 1000;

/** AWS says the key itself is not valid (unknown key id, wrong secret, expired STS token): every request on it fails. */
const KEY_REFUSED = new Set(['UnrecognizedClientException', 'InvalidSignatureException', 'ExpiredTokenException', 'InvalidClientTokenId']);
/** An AccessDeniedException about the Bearer key itself, not about one model or action. */
const BEARER_KEY_REFUSED = /api key|authentication failed|bearer token|security token included in the request is (invalid|expired)/i;
/**
 * A 400 that says this channel's account cannot serve the model (it needs an inference profile, access was never
 * granted, it does not exist in this region): another channel may, so it fails over instead of reaching the client.
 */
const CANNOT_SERVE_MODEL =
  /on-demand throughput isn.?t supported|inference profile|access to the model|model access|model identifier is invalid|provided model identifier|isn.?t supported in this region|not available in this region|reached the end of its life|legacy model/i;

const INFERRED: Record<number, string> = { 400: 'ValidationException', 403: 'AccessDeniedException', 429: 'ThrottlingException' };

/**
 * A Bedrock error answer as the gateway acts on it. AWS names the error in `x-amzn-ErrorType`
 * (`ThrottlingException:http://internal.amazon.com/coral/…`) and puts only `{"message"}` in the body; the status it
 * returns here is what routing decides on (401: the key is banned; 403/404: this channel is skipped for the request;
 * 429: back off and fail over; 400: the client's error), the message what a client sees if nothing else serves.
 */
export function bedrockUpstreamError(status: number, header: (name: string) => string | undefined, bodyText: string): GatewayError | null {
  let body: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(bodyText);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
  } catch {
    // an HTML page from a proxy: the generic parser reads it
  }
  const text0 = typeof body['message'] === 'string' ? body['message'] : typeof body['Message'] === 'string' ? body['Message'] : undefined;
  // Some auth-layer answers come without the header: an AWS `{"Message"}` body tells its kind by its status.
  const rawType = header('x-amzn-errortype') ?? (typeof body['__type'] === 'string' ? body['__type'] : undefined) ?? (text0 ? INFERRED[status] : undefined);
  if (!rawType) return null;
  const code = rawType.split(':')[0].split('#').pop()!;
  const text = text0 ?? code;
  const message = text.length > MAX_MESSAGE ? text.slice(0, MAX_MESSAGE) + '…' : text;
  const err = (s: number, type: string): GatewayError => ({ status: s, message, type, code });
  if (KEY_REFUSED.has(code)) return err(401, 'authentication_error');
  if (code === 'AccessDeniedException') return BEARER_KEY_REFUSED.test(message) ? err(401, 'authentication_error') : err(403, 'permission_error');
  if (code === 'ValidationException') return CANNOT_SERVE_MODEL.test(message) ? err(404, 'not_found_error') : err(400, 'invalid_request_error');
  if (code === 'ResourceNotFoundException') return err(404, 'not_found_error');
  if (code === 'ThrottlingException' || code === 'ServiceQuotaExceededException' || code === 'TooManyRequestsException') return err(429, 'rate_limit_error');
  if (code === 'ModelNotReadyException') return err(503, 'overloaded_error');
  if (code === 'ModelTimeoutException') return err(504, 'timeout_error');
  if (code === 'ModelErrorException' || code === 'ModelStreamErrorException') return err(502, 'api_error');
  if (code === 'ServiceUnavailableException') return err(503, 'overloaded_error');
  if (code === 'InternalServerException') return err(500, 'api_error');
  return { status, message, code };
}
