/** Gateway errors in each inbound protocol's own shape and status (§7.1–§7.4). */
import type { GatewayError, WireProtocol } from '../protocol.types';
import { anthropicErrorType, geminiStatusName, isQuotaError, openAiErrorCode, openAiErrorType } from './error-types.map';

export interface RenderedError {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

export function renderError(protocol: WireProtocol, err: GatewayError, requestId: string): RenderedError {
  const quota = isQuotaError(err.status, err.type, err.code);
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-request-id': requestId };
  if (err.retryAfterSeconds !== undefined && err.retryAfterSeconds >= 0) {
    headers['retry-after'] = String(Math.max(0, Math.ceil(err.retryAfterSeconds)));
  }
  switch (protocol) {
    case 'anthropic': {
      const status = quota ? 402 : err.status;
      headers['request-id'] = requestId;
      if (status >= 400 && status < 500 && status !== 408 && status !== 409 && status !== 429) headers['x-should-retry'] = 'false';
      return {
        status,
        headers,
        body: { type: 'error', error: { type: anthropicErrorType(status, err.type, err.code), message: err.message }, request_id: requestId },
      };
    }
    case 'gemini': {
      const status = quota ? 429 : err.status === 529 ? 503 : err.status;
      const error: Record<string, unknown> = { code: status, message: err.message, status: geminiStatusName(status, err.type, err.code) };
      const details: Record<string, unknown>[] = [];
      if (status === 401 || err.code === 'invalid_api_key') {
        details.push({
          '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
          reason: 'API_KEY_INVALID',
          domain: 'googleapis.com',
          metadata: { service: 'generativelanguage.googleapis.com' },
        });
      }
      if (status === 429 && err.retryAfterSeconds !== undefined) {
        details.push({ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${Math.max(0, err.retryAfterSeconds)}s` });
      }
      if (details.length > 0) error['details'] = details;
      return { status, headers, body: { error } };
    }
    default: {
      // OpenAI's families and rerank: OpenAI's error shape
      const status = quota ? 429 : err.status === 529 ? 503 : err.status;
      return {
        status,
        headers,
        body: {
          error: {
            message: err.message,
            type: openAiErrorType(err.status, err.type, err.code),
            param: err.param ?? null,
            code: openAiErrorCode(err.status, err.type, err.code),
          },
        },
      };
    }
  }
}
