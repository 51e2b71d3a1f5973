// Raw calls in each inbound protocol, and what each protocol's error must look like (SPEC §6 status codes), so
// the auth and limits suites check the same shapes the same way.
import type { Dispatcher } from 'undici';
import { fetch as undiciFetch } from 'undici';

export type Proto = 'openai' | 'anthropic' | 'gemini';
export const PROTOCOLS: Proto[] = ['openai', 'anthropic', 'gemini'];

export interface CallOptions {
  text?: string;
  maxTokens?: number;
  stream?: boolean;
  headers?: Record<string, string>;
  /** undici dispatcher, e.g. one bound to another local address */
  dispatcher?: Dispatcher;
  signal?: AbortSignal;
}

export interface CallResult {
  status: number;
  headers: Headers;
  body: any;
  text: string;
}

/** The model each protocol is served under in these suites (one channel per vendor type, no conversion). */
export const MODEL_OF: Record<Proto, string> = { openai: 'gpt-4o-mini', anthropic: 'claude-test', gemini: 'gemini-test' };

export function request(base: string, proto: Proto, key: string | null, model: string, o: CallOptions = {}): { url: string; init: RequestInit } {
  const text = o.text ?? 'Say hello';
  const headers: Record<string, string> = { 'content-type': 'application/json', ...o.headers };
  let url: string;
  let body: unknown;
  if (proto === 'openai') {
    url = `${base}/v1/chat/completions`;
    if (key) headers.authorization = `Bearer ${key}`;
    body = { model, messages: [{ role: 'user', content: text }], ...(o.maxTokens ? { max_tokens: o.maxTokens } : {}), ...(o.stream ? { stream: true } : {}) };
  } else if (proto === 'anthropic') {
    url = `${base}/v1/messages`;
    if (key) headers['x-api-key'] = key;
    headers['anthropic-version'] = '2023-06-01';
    body = { model, max_tokens: o.maxTokens ?? 64, messages: [{ role: 'user', content: text }], ...(o.stream ? { stream: true } : {}) };
  } else {
    url = `${base}/v1beta/models/${model}:${o.stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`;
    if (key) headers['x-goog-api-key'] = key;
    body = { contents: [{ role: 'user', parts: [{ text }] }], ...(o.maxTokens ? { generationConfig: { maxOutputTokens: o.maxTokens } } : {}) };
  }
  return { url, init: { method: 'POST', headers, body: JSON.stringify(body), signal: o.signal } };
}

/** One complete call (body read). */
export async function call(base: string, proto: Proto, key: string | null, model: string = MODEL_OF[proto], o: CallOptions = {}): Promise<CallResult> {
  const { url, init } = request(base, proto, key, model, o);
  const res = (o.dispatcher ? await undiciFetch(url, { ...(init as object), dispatcher: o.dispatcher }) : await fetch(url, init)) as Response;
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: res.status, headers: res.headers, body, text };
}

export type ErrorKind = 'bad_key' | 'forbidden_ip' | 'forbidden_model' | 'rate_limited' | 'quota' | 'not_found';

/** What each protocol answers for each kind of refusal (SPEC §6). */
const EXPECTED: Record<ErrorKind, Record<Proto, { status: number; match: (b: any) => boolean; label: string }>> = {
  bad_key: {
    openai: { status: 401, label: 'invalid_api_key', match: (b) => b?.error?.code === 'invalid_api_key' && typeof b.error.message === 'string' },
    anthropic: { status: 401, label: 'authentication_error', match: (b) => b?.type === 'error' && b.error?.type === 'authentication_error' },
    gemini: { status: 401, label: 'UNAUTHENTICATED', match: (b) => b?.error?.status === 'UNAUTHENTICATED' && b.error.code === 401 },
  },
  forbidden_ip: {
    openai: { status: 403, label: 'ip_not_allowed', match: (b) => b?.error?.code === 'ip_not_allowed' },
    anthropic: { status: 403, label: 'permission_error', match: (b) => b?.type === 'error' && b.error?.type === 'permission_error' },
    gemini: { status: 403, label: 'PERMISSION_DENIED', match: (b) => b?.error?.status === 'PERMISSION_DENIED' },
  },
  forbidden_model: {
    openai: { status: 403, label: 'model_not_allowed', match: (b) => b?.error?.code === 'model_not_allowed' },
    anthropic: { status: 403, label: 'permission_error', match: (b) => b?.type === 'error' && b.error?.type === 'permission_error' },
    gemini: { status: 403, label: 'PERMISSION_DENIED', match: (b) => b?.error?.status === 'PERMISSION_DENIED' },
  },
  rate_limited: {
    openai: { status: 429, label: 'rate_limit_exceeded', match: (b) => b?.error?.code === 'rate_limit_exceeded' },
    anthropic: { status: 429, label: 'rate_limit_error', match: (b) => b?.type === 'error' && b.error?.type === 'rate_limit_error' },
    gemini: { status: 429, label: 'RESOURCE_EXHAUSTED', match: (b) => b?.error?.status === 'RESOURCE_EXHAUSTED' && b.error.code === 429 },
  },
  quota: {
    openai: { status: 429, label: 'insufficient_quota', match: (b) => b?.error?.code === 'insufficient_quota' && b.error.type === 'insufficient_quota' },
    anthropic: { status: 402, label: 'billing_error', match: (b) => b?.type === 'error' && b.error?.type === 'billing_error' },
    gemini: { status: 429, label: 'RESOURCE_EXHAUSTED', match: (b) => b?.error?.status === 'RESOURCE_EXHAUSTED' },
  },
  not_found: {
    openai: { status: 404, label: 'model_not_found', match: (b) => b?.error?.code === 'model_not_found' },
    anthropic: { status: 404, label: 'not_found_error', match: (b) => b?.type === 'error' && b.error?.type === 'not_found_error' },
    gemini: { status: 404, label: 'NOT_FOUND', match: (b) => b?.error?.status === 'NOT_FOUND' },
  },
};

/** Fails with the whole answer in the message when the refusal is not in the protocol's own shape. */
export function expectRefusal(proto: Proto, r: CallResult, kind: ErrorKind, messagePattern?: RegExp): void {
  const want = EXPECTED[kind][proto];
  const ok =
    r.status === want.status &&
    want.match(r.body) &&
    !!r.headers.get('x-request-id') &&
    (kind !== 'rate_limited' || Number(r.headers.get('retry-after')) > 0) &&
    (!messagePattern || messagePattern.test(errorMessage(r.body)));
  if (!ok) {
    throw new Error(
      `${proto}: expected ${want.status} ${want.label}${kind === 'rate_limited' ? ' with Retry-After' : ''}${messagePattern ? ` matching ${messagePattern}` : ''}, ` +
        `got ${r.status} retry-after=${r.headers.get('retry-after')} ${r.text.slice(0, 400)}`,
    );
  }
}

export function errorMessage(body: any): string {
  return String(body?.error?.message ?? '');
}

/** Fails unless the call was served (200 with a reply in the protocol's shape). */
export function expectServed(proto: Proto, r: CallResult): void {
  const ok =
    r.status === 200 &&
    (proto === 'openai'
      ? typeof r.body?.choices?.[0]?.message?.content === 'string'
      : proto === 'anthropic'
        ? r.body?.type === 'message' && Array.isArray(r.body.content)
        : Array.isArray(r.body?.candidates));
  if (!ok) throw new Error(`${proto}: expected 200 with a reply, got ${r.status} ${r.text.slice(0, 400)}`);
}
