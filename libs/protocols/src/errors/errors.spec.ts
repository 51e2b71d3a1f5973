import { fixtureText } from '../testing/fixtures.loader';
import type { GatewayError } from '../protocol.types';
import { parseUpstreamError } from './parse-upstream-error';
import { renderError } from './render-error';

type Obj = Record<string, any>; // test-only deep access

describe('renderError: §7.1–§7.4 shapes chosen from the status', () => {
  const cases: [GatewayError, Obj, Obj, Obj][] = [
    // [error, openai {status,type,code}, anthropic {status,type}, gemini {status,STATUS}]
    [
      { status: 400, message: 'bad' },
      { status: 400, type: 'invalid_request_error', code: null },
      { status: 400, type: 'invalid_request_error' },
      { status: 400, s: 'INVALID_ARGUMENT' },
    ],
    [
      { status: 401, message: 'bad key' },
      { status: 401, type: 'invalid_request_error', code: 'invalid_api_key' },
      { status: 401, type: 'authentication_error' },
      { status: 401, s: 'UNAUTHENTICATED' },
    ],
    [
      { status: 402, message: 'no money' },
      { status: 429, type: 'insufficient_quota', code: 'insufficient_quota' },
      { status: 402, type: 'billing_error' },
      { status: 429, s: 'RESOURCE_EXHAUSTED' },
    ],
    [
      { status: 429, message: 'quota', code: 'insufficient_quota' },
      { status: 429, type: 'insufficient_quota', code: 'insufficient_quota' },
      { status: 402, type: 'billing_error' },
      { status: 429, s: 'RESOURCE_EXHAUSTED' },
    ],
    [
      { status: 429, message: 'slow down', retryAfterSeconds: 3 },
      { status: 429, type: 'rate_limit_error', code: 'rate_limit_exceeded' },
      { status: 429, type: 'rate_limit_error' },
      { status: 429, s: 'RESOURCE_EXHAUSTED' },
    ],
    [
      { status: 403, message: 'no', code: 'model_not_priced' },
      { status: 403, type: 'permission_error', code: 'model_not_priced' },
      { status: 403, type: 'permission_error' },
      { status: 403, s: 'PERMISSION_DENIED' },
    ],
    [
      { status: 404, message: 'nope', code: 'model_not_found' },
      { status: 404, type: 'invalid_request_error', code: 'model_not_found' },
      { status: 404, type: 'not_found_error' },
      { status: 404, s: 'NOT_FOUND' },
    ],
    [
      { status: 413, message: 'too big' },
      { status: 413, type: 'invalid_request_error', code: null },
      { status: 413, type: 'request_too_large' },
      { status: 413, s: 'INVALID_ARGUMENT' },
    ],
    [
      { status: 500, message: 'oops' },
      { status: 500, type: 'server_error', code: null },
      { status: 500, type: 'api_error' },
      { status: 500, s: 'INTERNAL' },
    ],
    [
      { status: 503, message: 'no channel' },
      { status: 503, type: 'server_error', code: null },
      { status: 503, type: 'overloaded_error' },
      { status: 503, s: 'UNAVAILABLE' },
    ],
    [
      { status: 504, message: 'timeout' },
      { status: 504, type: 'server_error', code: null },
      { status: 504, type: 'timeout_error' },
      { status: 504, s: 'DEADLINE_EXCEEDED' },
    ],
    [
      { status: 529, message: 'Overloaded', type: 'overloaded_error' },
      { status: 503, type: 'server_error', code: null },
      { status: 529, type: 'overloaded_error' },
      { status: 503, s: 'UNAVAILABLE' },
    ],
  ];
  for (const [err, oa, an, ge] of cases) {
    it(`${err.status}${err.code ? ' ' + err.code : ''}`, () => {
      for (const p of ['openai-chat', 'openai-responses', 'openai-embeddings'] as const) {
        const r = renderError(p, err, 'req-1');
        expect(r.status).toBe(oa.status);
        expect(r.body).toEqual({ error: { message: err.message, type: oa.type, param: null, code: oa.code } });
        expect(r.headers['x-request-id']).toBe('req-1');
        expect(r.headers['content-type']).toBe('application/json');
      }
      const a = renderError('anthropic', err, 'req-1');
      expect(a.status).toBe(an.status);
      expect(a.body).toEqual({ type: 'error', error: { type: an.type, message: err.message }, request_id: 'req-1' });
      const g = renderError('gemini', err, 'req-1');
      expect(g.status).toBe(ge.status);
      expect((g.body as Obj).error).toEqual(expect.objectContaining({ code: ge.status, message: err.message, status: ge.s }));
    });
  }
  it('429 carries Retry-After in every protocol, and Gemini a RetryInfo detail', () => {
    const err = { status: 429, message: 'slow', retryAfterSeconds: 2.2 };
    for (const p of ['openai-chat', 'anthropic', 'gemini'] as const) expect(renderError(p, err, 'r').headers['retry-after']).toBe('3');
    expect((renderError('gemini', err, 'r').body as Obj).error.details).toEqual([{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '2.2s' }]);
  });
  it('Anthropic 4xx says x-should-retry: false (except 408/409/429)', () => {
    expect(renderError('anthropic', { status: 400, message: 'x' }, 'r').headers['x-should-retry']).toBe('false');
    expect(renderError('anthropic', { status: 429, message: 'x' }, 'r').headers['x-should-retry']).toBeUndefined();
  });
  it('Gemini 401 includes the API_KEY_INVALID ErrorInfo detail', () => {
    expect(JSON.stringify(renderError('gemini', { status: 401, message: 'bad key' }, 'r').body)).toContain('API_KEY_INVALID');
  });
  it('an explicit param is kept for OpenAI', () => {
    expect((renderError('openai-chat', { status: 400, message: 'x', param: 'messages' }, 'r').body as Obj).error.param).toBe('messages');
  });
});

describe('parseUpstreamError: tolerant of every vendor shape and of garbage', () => {
  it('OpenAI 401 invalid_api_key', () => {
    expect(parseUpstreamError('openai-chat', 401, fixtureText('errors/openai-401.json'))).toEqual(
      expect.objectContaining({ status: 401, type: 'invalid_request_error', code: 'invalid_api_key' }),
    );
  });
  it('OpenAI 429 insufficient_quota keeps its code (→ billing on other protocols)', () => {
    const e = parseUpstreamError('openai-chat', 429, fixtureText('errors/openai-429-quota.json'));
    expect(e.code).toBe('insufficient_quota');
    expect(renderError('anthropic', e, 'r').status).toBe(402);
  });
  it('OpenAI 400 with param', () => {
    expect(parseUpstreamError('openai-chat', 400, fixtureText('errors/openai-400-tools.json'))).toEqual({
      status: 400,
      message: "[] is too short - 'tools'",
      type: 'invalid_request_error',
      param: 'tools',
    });
  });
  it('Anthropic 400 and 529', () => {
    expect(parseUpstreamError('anthropic', 400, fixtureText('errors/anthropic-400.json'))).toEqual({
      status: 400,
      message: 'max_tokens: Field required',
      type: 'invalid_request_error',
    });
    const e = parseUpstreamError('anthropic', 529, fixtureText('errors/anthropic-529.json'));
    expect(e).toEqual({ status: 529, message: 'Overloaded', type: 'overloaded_error' });
    expect(renderError('openai-chat', e, 'r').status).toBe(503);
  });
  it('Gemini bad key (400 + API_KEY_INVALID) is an upstream credential failure: 401', () => {
    expect(parseUpstreamError('gemini', 400, fixtureText('errors/gemini-400-api-key.json'))).toEqual(
      expect.objectContaining({ status: 401, code: 'invalid_api_key', type: 'INVALID_ARGUMENT' }),
    );
  });
  it('Gemini 429 RetryInfo → retryAfterSeconds', () => {
    expect(parseUpstreamError('gemini', 429, fixtureText('errors/gemini-429.json'))).toEqual(
      expect.objectContaining({ status: 429, type: 'RESOURCE_EXHAUSTED', retryAfterSeconds: 34.4 }),
    );
  });
  it('Gemini JSON-array error body', () => {
    expect(parseUpstreamError('gemini', 503, fixtureText('errors/gemini-503-array.json'))).toEqual(
      expect.objectContaining({ status: 503, message: 'The model is overloaded.' }),
    );
  });
  it('HTML garbage → text message, status kept', () => {
    const e = parseUpstreamError('openai-chat', 502, fixtureText('errors/garbage-502.html'));
    expect(e.status).toBe(502);
    expect(e.message).toContain('502 Bad Gateway');
    expect(e.message).not.toContain('<');
  });
  it('empty body, odd status → 502 with a generic message', () => {
    expect(parseUpstreamError('anthropic', 200, '')).toEqual({ status: 502, message: 'Upstream (anthropic) returned HTTP 200' });
  });
  it('seed rule: "rate limit" in a message classifies as 429', () => {
    expect(parseUpstreamError('openai-chat', 400, '{"error":{"message":"Rate limit exceeded for this key"}}').status).toBe(429);
  });
  it('huge bodies are truncated', () => {
    expect(parseUpstreamError('openai-chat', 500, 'x'.repeat(50_000)).message.length).toBeLessThan(1100);
  });
});

describe('content-policy refusals (Azure’s prompt filter)', () => {
  const body = fixtureText('errors/azure-400-content-filter.json');

  it('are parsed as a content-policy error naming the filtered categories', () => {
    const err = parseUpstreamError('openai-chat', 400, body);
    expect(err).toMatchObject({ status: 400, code: 'content_policy_violation', type: 'invalid_request_error', param: 'prompt' });
    expect(err.message).toMatch(/content management policy.*\(filtered: hate \(high\), violence \(medium\)\)$/);
  });

  it('reach each client protocol as its own refusal, never as a server or key error', () => {
    const err = parseUpstreamError('openai-chat', 400, body);
    const openai = renderError('openai-chat', err, 'req_1');
    expect([openai.status, openai.body.error]).toEqual([
      400,
      { message: err.message, type: 'invalid_request_error', param: 'prompt', code: 'content_policy_violation' },
    ]);
    const anthropic = renderError('anthropic', err, 'req_1');
    expect([anthropic.status, (anthropic.body.error as Obj).type]).toEqual([400, 'invalid_request_error']);
    const gemini = renderError('gemini', err, 'req_1');
    expect([gemini.status, (gemini.body.error as Obj).status]).toEqual([400, 'INVALID_ARGUMENT']);
  });

  it('a plain Azure 400 stays a plain 400', () => {
    const err = parseUpstreamError(
      'openai-chat',
      400,
      JSON.stringify({ error: { message: 'Unrecognized request argument supplied: foo', type: 'invalid_request_error', param: null, code: null } }),
    );
    expect(err.code).toBeUndefined();
  });
});
