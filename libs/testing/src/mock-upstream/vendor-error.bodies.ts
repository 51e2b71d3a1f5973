import type { MockVendor } from './mock-upstream.types';

/** An error answer in a vendor's own shape (reference/protocols.md §7). */
export interface ErrorReply {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

interface OpenAiErrorFields {
  type?: string;
  param?: string | null;
  code?: string | null;
}

const OPENAI_DEFAULTS: Record<number, { message: string } & OpenAiErrorFields> = {
  400: { message: 'Invalid request.', type: 'invalid_request_error' },
  401: {
    message: 'Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.',
    type: 'invalid_request_error',
    code: 'invalid_api_key',
  },
  403: {
    message: 'Country, region, or territory not supported',
    type: 'request_forbidden',
    code: 'unsupported_country_region_territory',
  },
  404: {
    message: 'The model does not exist or you do not have access to it.',
    type: 'invalid_request_error',
    code: 'model_not_found',
  },
  409: { message: 'The request conflicted with another request.', type: 'invalid_request_error' },
  413: { message: 'Request too large.', type: 'invalid_request_error' },
  422: { message: 'Unprocessable request.', type: 'invalid_request_error' },
  429: {
    message: 'Rate limit reached for requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 1s.',
    type: 'requests',
    code: 'rate_limit_exceeded',
  },
  500: {
    message: 'The server had an error while processing your request. Sorry about that!',
    type: 'server_error',
  },
  502: { message: 'Bad gateway.', type: 'server_error' },
  503: { message: 'The engine is currently overloaded, please try again later.', type: 'server_error' },
  504: { message: 'Gateway timeout.', type: 'server_error' },
};

export function openaiError(status: number, message?: string, fields: OpenAiErrorFields = {}): ErrorReply {
  const d = OPENAI_DEFAULTS[status] ?? {
    message: `Mock upstream error ${status}.`,
    type: status >= 500 ? 'server_error' : 'invalid_request_error',
  };
  return {
    status,
    body: {
      error: {
        message: message ?? d.message,
        type: fields.type ?? d.type ?? 'invalid_request_error',
        param: fields.param ?? null,
        code: fields.code !== undefined ? fields.code : (d.code ?? null),
      },
    },
    headers: {},
  };
}

const ANTHROPIC_TYPES: Record<number, [string, string]> = {
  400: ['invalid_request_error', 'Invalid request.'],
  401: ['authentication_error', 'invalid x-api-key'],
  402: ['billing_error', 'Your credit balance is too low to access the Anthropic API.'],
  403: ['permission_error', 'Your API key does not have permission to use the specified resource.'],
  404: ['not_found_error', 'Not found.'],
  413: ['request_too_large', 'Request exceeds the maximum allowed number of bytes.'],
  429: ['rate_limit_error', 'Number of request tokens has exceeded your per-minute rate limit.'],
  500: ['api_error', 'Internal server error'],
  504: ['timeout_error', 'Request timed out.'],
  529: ['overloaded_error', 'Overloaded'],
};

let anthropicReqSeq = 0;

export function anthropicRequestId(): string {
  return `req_011CMock${(++anthropicReqSeq).toString(36).padStart(14, '0')}`;
}

export function anthropicError(status: number, message?: string, type?: string, requestId?: string): ErrorReply {
  const d = ANTHROPIC_TYPES[status] ?? [status >= 500 ? 'api_error' : 'invalid_request_error', `Error ${status}`];
  const retryable = status === 408 || status === 409 || status === 429 || status >= 500;
  return {
    status,
    body: {
      type: 'error',
      error: { type: type ?? d[0], message: message ?? d[1] },
      request_id: requestId ?? anthropicRequestId(),
    },
    headers: { 'x-should-retry': retryable ? 'true' : 'false' },
  };
}

const GEMINI_STATUS: Record<number, [string, string]> = {
  400: ['INVALID_ARGUMENT', 'Request contains an invalid argument.'],
  401: ['UNAUTHENTICATED', 'Request had invalid authentication credentials.'],
  403: ['PERMISSION_DENIED', 'The caller does not have permission'],
  404: ['NOT_FOUND', 'Requested entity was not found.'],
  409: ['ABORTED', 'The operation was aborted.'],
  429: ['RESOURCE_EXHAUSTED', 'You exceeded your current quota, please check your plan and billing details.'],
  499: ['CANCELLED', 'The operation was cancelled.'],
  500: ['INTERNAL', 'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting'],
  501: ['UNIMPLEMENTED', 'Method not implemented.'],
  503: ['UNAVAILABLE', 'The model is overloaded. Please try again later.'],
  504: ['DEADLINE_EXCEEDED', 'Deadline expired before operation could complete.'],
};

export function geminiStatusName(status: number): string {
  return GEMINI_STATUS[status]?.[0] ?? (status >= 500 ? 'INTERNAL' : 'INVALID_ARGUMENT');
}

export function geminiError(status: number, message?: string, details?: unknown[], statusName?: string): ErrorReply {
  const d = GEMINI_STATUS[status] ?? [geminiStatusName(status), `Error ${status}`];
  let det = details;
  if (!det && status === 429) {
    det = [
      {
        '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
        violations: [{ quotaId: 'GenerateRequestsPerMinutePerProjectPerModel-FreeTier' }],
      },
      { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '1s' },
    ];
  }
  const error: Record<string, unknown> = { code: status, message: message ?? d[1], status: statusName ?? d[0] };
  if (det) error.details = det;
  return { status, body: { error }, headers: {} };
}

export function geminiApiKeyInvalid(): ErrorReply {
  return geminiError(400, 'API key not valid. Please pass a valid API key.', [
    {
      '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
      reason: 'API_KEY_INVALID',
      domain: 'googleapis.com',
      metadata: { service: 'generativelanguage.googleapis.com' },
    },
  ]);
}

const COHERE_DEFAULTS: Record<number, string> = {
  400: 'invalid request: message must be at least 1 token long or tool results must be specified.',
  401: 'invalid api token',
  402: 'Please add or update your payment method at https://dashboard.cohere.com/billing?tab=payment to continue',
  404: "model 'unknown' not found, make sure the correct model ID was used and that you have access to the model.",
  429: 'You are past the per minute request limit, please wait and try again later.',
  499: 'request cancelled by user',
  500: 'internal server error, this has been reported to our developers',
  503: 'service unavailable',
};

/** Cohere's errors (docs.cohere.com "Errors"): `{ id, message }`, nothing else. */
export function cohereError(status: number, message?: string): ErrorReply {
  const id = [8, 4, 4, 4, 12].map((n) => Array.from({ length: n }, () => Math.floor(Math.random() * 16).toString(16)).join('')).join('-');
  return { status, body: { id, message: message ?? COHERE_DEFAULTS[status] ?? `mock upstream error ${status}` }, headers: {} };
}

/** The vendor's default error body for a status (used by fault rules without an explicit body). */
export function vendorError(vendor: MockVendor, status: number, message?: string): ErrorReply {
  if (vendor === 'anthropic') return anthropicError(status, message);
  if (vendor === 'cohere') return cohereError(status, message);
  if (vendor === 'gemini') return geminiError(status, message);
  return openaiError(status, message);
}
