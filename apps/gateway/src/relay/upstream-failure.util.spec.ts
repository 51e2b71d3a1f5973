import { parseUpstreamError, type WireProtocol } from '@switchboard/protocols';
import { FailoverTally, isKeyFailure, isRateLimited } from './upstream-failure.util';

/** Real vendor error bodies (reference/protocols.md §7, the mock upstream's vendor-error.bodies.ts). */
const openai = (message: string, type: string, code: string | null = null) => JSON.stringify({ error: { message, type, param: null, code } });
const anthropic = (type: string, message: string) => JSON.stringify({ type: 'error', error: { type, message }, request_id: 'req_1' });
const gemini = (code: number, status: string, message: string, details?: unknown[]) => JSON.stringify({ error: { code, message, status, details } });

const cases: [string, WireProtocol, number, string, 'key' | 'rate' | 'request'][] = [
  ['OpenAI 401 invalid key', 'openai-chat', 401, openai('Incorrect API key provided: sk-…abcd.', 'invalid_request_error', 'invalid_api_key'), 'key'],
  [
    'OpenAI 403 region block',
    'openai-chat',
    403,
    openai('Country, region, or territory not supported', 'request_forbidden', 'unsupported_country_region_territory'),
    'request',
  ],
  ['OpenAI 403 model access', 'openai-chat', 403, openai('You are not allowed to sample from this model', 'invalid_request_error'), 'request'],
  ['OpenAI 403 deactivated account', 'openai-chat', 403, openai('Your account has been deactivated.', 'invalid_request_error', 'account_deactivated'), 'key'],
  ['OpenAI 403 revoked key', 'openai-responses', 403, openai('This API key has been revoked.', 'invalid_request_error'), 'key'],
  [
    'OpenAI 404 model',
    'openai-chat',
    404,
    openai('The model `gpt-4o` does not exist or you do not have access to it.', 'invalid_request_error', 'model_not_found'),
    'request',
  ],
  [
    'OpenAI 429 rate limit',
    'openai-chat',
    429,
    openai('Rate limit reached for requests per min (RPM): Limit 3, Used 3. Please try again in 1s.', 'requests', 'rate_limit_exceeded'),
    'rate',
  ],
  [
    'OpenAI 429 out of credit',
    'openai-chat',
    429,
    openai('You exceeded your current quota, please check your plan and billing details.', 'insufficient_quota', 'insufficient_quota'),
    'key',
  ],
  ['Anthropic 401', 'anthropic', 401, anthropic('authentication_error', 'invalid x-api-key'), 'key'],
  ['Anthropic 402 billing', 'anthropic', 402, anthropic('billing_error', 'Your credit balance is too low to access the Anthropic API.'), 'key'],
  [
    'Anthropic 403 permission',
    'anthropic',
    403,
    anthropic('permission_error', 'Your API key does not have permission to use the specified resource.'),
    'request',
  ],
  ['Anthropic 403 disabled key', 'anthropic', 403, anthropic('permission_error', 'This API key has been disabled.'), 'key'],
  ['Anthropic 404', 'anthropic', 404, anthropic('not_found_error', 'model: claude-x'), 'request'],
  ['Anthropic 429', 'anthropic', 429, anthropic('rate_limit_error', 'Number of request tokens has exceeded your per-minute rate limit.'), 'rate'],
  [
    'Gemini 400 API_KEY_INVALID',
    'gemini',
    400,
    gemini(400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.', [
      { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID' },
    ]),
    'key',
  ],
  ['Gemini 403 permission', 'gemini', 403, gemini(403, 'PERMISSION_DENIED', 'The caller does not have permission'), 'request'],
  [
    'Gemini 403 no key',
    'gemini',
    403,
    gemini(
      403,
      'PERMISSION_DENIED',
      "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
    ),
    'key',
  ],
  ['Gemini 403 leaked key', 'gemini', 403, gemini(403, 'PERMISSION_DENIED', 'Your API key was reported as leaked. Please use another API key.'), 'key'],
  ['Gemini 403 suspended consumer', 'gemini', 403, gemini(403, 'PERMISSION_DENIED', "Permission denied: Consumer 'api_key:AIza…' has been suspended."), 'key'],
  [
    'Gemini 429 per-minute quota',
    'gemini',
    429,
    gemini(429, 'RESOURCE_EXHAUSTED', 'You exceeded your current quota, please check your plan.', [
      { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '34.4s' },
    ]),
    'rate',
  ],
  ['Plain 403 text', 'openai-chat', 403, 'Forbidden', 'request'],
];

describe('upstream failures: key bans only on credential failures', () => {
  it.each(cases)('%s', (_name, protocol, status, body, expected) => {
    const error = parseUpstreamError(protocol, status, body);
    const got = isKeyFailure(error.status, error) ? 'key' : isRateLimited(error.status, error) ? 'rate' : 'request';
    expect(got).toBe(expected);
  });
});

describe('FailoverTally: the answer when every candidate failed', () => {
  const now = 1_000_000;
  type Step = ['attempt', number, number | undefined, boolean] | ['banned', 'backoff' | 'error_rate' | 'auth', number | undefined, number];
  const cases: [string, Step[], number | undefined, number | undefined][] = [
    [
      'every channel answered 429, smallest Retry-After wins',
      [
        ['attempt', 429, 30, false],
        ['attempt', 429, 7, false],
      ],
      429,
      7,
    ],
    ['429 without Retry-After → the default', [['attempt', 429, undefined, false]], 429, 5],
    ['fractional Retry-After rounds up', [['attempt', 429, 0.2, false]], 429, 1],
    [
      'every channel in a 429 back-off → until the soonest ends',
      [
        ['banned', 'backoff', 429, now + 12_500],
        ['banned', 'backoff', 429, now + 40_000],
      ],
      429,
      13,
    ],
    [
      '429 answer + a 429 back-off',
      [
        ['attempt', 429, 20, false],
        ['banned', 'backoff', 429, now + 3_000],
      ],
      429,
      3,
    ],
    [
      '429 + a channel that refused its key → still 429',
      [
        ['attempt', 429, 2, false],
        ['attempt', 401, undefined, true],
        ['banned', 'auth', undefined, now + 1e6],
      ],
      429,
      2,
    ],
    [
      '429 + a 500 → 503 (a channel is failing)',
      [
        ['attempt', 429, 2, false],
        ['attempt', 500, undefined, false],
      ],
      undefined,
      undefined,
    ],
    [
      '429 + a network failure (502) → 503',
      [
        ['attempt', 429, 2, false],
        ['attempt', 502, undefined, false],
      ],
      undefined,
      undefined,
    ],
    [
      '429 + an error-rate ban → 503',
      [
        ['attempt', 429, 2, false],
        ['banned', 'error_rate', undefined, now + 60_000],
      ],
      undefined,
      undefined,
    ],
    [
      '429 + a 503 back-off → 503',
      [
        ['banned', 'backoff', 429, now + 2_000],
        ['banned', 'backoff', 503, now + 2_000],
      ],
      undefined,
      undefined,
    ],
    ['only upstream 503s → 503', [['attempt', 503, 5, false]], undefined, undefined],
    [
      'only credential failures → 503',
      [
        ['attempt', 401, undefined, true],
        ['attempt', 429, undefined, true],
      ],
      undefined,
      undefined,
    ],
    ['only banned after errors → 503', [['banned', 'error_rate', undefined, now + 60_000]], undefined, undefined],
  ];
  it.each(cases)('%s', (_name, steps, status, retryAfter) => {
    const t = new FailoverTally();
    for (const s of steps) {
      if (s[0] === 'attempt') t.attempt(s[1], { status: s[1], message: 'x', retryAfterSeconds: s[2] }, s[3]);
      else t.banned({ reason: s[1], status: s[2], until: s[3] }, now);
    }
    const e = t.rateLimitError('m');
    expect(e?.status).toBe(status);
    expect(e?.details.retryAfterSeconds).toBe(retryAfter);
  });
});
