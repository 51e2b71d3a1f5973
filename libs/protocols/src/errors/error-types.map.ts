/** Error type / status vocabularies per protocol (§7.1–§7.4). */

/** Types that only make sense in Anthropic's vocabulary; never shown to OpenAI clients. */
const ANTHROPIC_ONLY = new Set(['billing_error', 'not_found_error', 'request_too_large', 'overloaded_error', 'timeout_error']);
const GEMINI_STATUS_RE = /^[A-Z][A-Z_]+$/;

export function isQuotaError(status: number, type?: string, code?: string): boolean {
  return status === 402 || code === 'insufficient_quota' || type === 'insufficient_quota' || type === 'billing_error';
}

export function openAiErrorType(status: number, type?: string, code?: string): string {
  if (isQuotaError(status, type, code)) return 'insufficient_quota';
  if (type && !ANTHROPIC_ONLY.has(type) && !GEMINI_STATUS_RE.test(type) && type !== 'error') return type;
  if (status === 403) return 'permission_error';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

export function openAiErrorCode(status: number, type?: string, code?: string): string | null {
  if (isQuotaError(status, type, code)) return 'insufficient_quota';
  if (code) return code;
  if (status === 429) return 'rate_limit_exceeded';
  if (status === 401) return 'invalid_api_key';
  return null;
}

export const ANTHROPIC_ERROR_TYPES = new Set([
  'invalid_request_error',
  'authentication_error',
  'billing_error',
  'permission_error',
  'not_found_error',
  'request_too_large',
  'rate_limit_error',
  'api_error',
  'timeout_error',
  'overloaded_error',
]);

export function anthropicErrorType(status: number, type?: string, code?: string): string {
  if (isQuotaError(status, type, code)) return 'billing_error';
  if (type && ANTHROPIC_ERROR_TYPES.has(type)) return type;
  switch (status) {
    case 401:
      return 'authentication_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    case 503:
    case 529:
      return 'overloaded_error';
    case 504:
      return 'timeout_error';
    default:
      return status >= 500 ? 'api_error' : 'invalid_request_error';
  }
}

const GEMINI_STATUSES = new Set([
  'INVALID_ARGUMENT',
  'FAILED_PRECONDITION',
  'OUT_OF_RANGE',
  'UNAUTHENTICATED',
  'PERMISSION_DENIED',
  'NOT_FOUND',
  'ABORTED',
  'ALREADY_EXISTS',
  'RESOURCE_EXHAUSTED',
  'CANCELLED',
  'DATA_LOSS',
  'UNKNOWN',
  'INTERNAL',
  'UNIMPLEMENTED',
  'UNAVAILABLE',
  'DEADLINE_EXCEEDED',
]);

export function geminiStatusName(status: number, type?: string, code?: string): string {
  if (isQuotaError(status, type, code)) return 'RESOURCE_EXHAUSTED';
  if (type && GEMINI_STATUSES.has(type)) return type;
  switch (status) {
    case 400:
    case 413:
    case 422:
      return 'INVALID_ARGUMENT';
    case 401:
      return 'UNAUTHENTICATED';
    case 403:
      return 'PERMISSION_DENIED';
    case 404:
      return 'NOT_FOUND';
    case 409:
      return 'ABORTED';
    case 429:
      return 'RESOURCE_EXHAUSTED';
    case 499:
      return 'CANCELLED';
    case 501:
      return 'UNIMPLEMENTED';
    case 503:
    case 529:
      return 'UNAVAILABLE';
    case 504:
      return 'DEADLINE_EXCEEDED';
    default:
      return status >= 500 ? 'INTERNAL' : 'FAILED_PRECONDITION';
  }
}

/** Reverse of geminiStatusName for upstream bodies that carry only the status name. */
export function httpStatusForGeminiStatus(name: string): number | undefined {
  switch (name) {
    case 'INVALID_ARGUMENT':
    case 'FAILED_PRECONDITION':
    case 'OUT_OF_RANGE':
      return 400;
    case 'UNAUTHENTICATED':
      return 401;
    case 'PERMISSION_DENIED':
      return 403;
    case 'NOT_FOUND':
      return 404;
    case 'ABORTED':
    case 'ALREADY_EXISTS':
      return 409;
    case 'RESOURCE_EXHAUSTED':
      return 429;
    case 'CANCELLED':
      return 499;
    case 'UNIMPLEMENTED':
      return 501;
    case 'UNAVAILABLE':
      return 503;
    case 'DEADLINE_EXCEEDED':
      return 504;
    case 'INTERNAL':
    case 'UNKNOWN':
    case 'DATA_LOSS':
      return 500;
    default:
      return undefined;
  }
}

export function httpStatusForAnthropicType(type: string): number | undefined {
  switch (type) {
    case 'invalid_request_error':
      return 400;
    case 'authentication_error':
      return 401;
    case 'billing_error':
      return 402;
    case 'permission_error':
      return 403;
    case 'not_found_error':
      return 404;
    case 'request_too_large':
      return 413;
    case 'rate_limit_error':
      return 429;
    case 'api_error':
      return 500;
    case 'timeout_error':
      return 504;
    case 'overloaded_error':
      return 529;
    default:
      return undefined;
  }
}
