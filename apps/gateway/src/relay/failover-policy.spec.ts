import type { GatewayError } from '@switchboard/protocols';
import { FailoverPolicy, localFailure, transportFailure, type AttemptFailure } from './failover-policy';
import { channel } from './relay.fixture';
import { FailoverTally } from './upstream-failure.util';

const policy = new FailoverPolicy({ RETRY_BUDGET: 2, BAN_PROBE_INTERVAL_MS: 15_000 });
const NOW = 1_700_000_000_000;
const err = (status: number, message = 'upstream said no', over: Partial<GatewayError> = {}): GatewayError => ({ status, message, ...over });

type Shape = 'one key' | 'two keys' | 'autoBan off';
const shaped = (shape: Shape) => (shape === 'two keys' ? channel({}, 2) : shape === 'autoBan off' ? channel({ autoBan: false }) : channel());

/** A failed attempt's verdict: classification, what is excluded, the ban, and whether the health window records it. */
interface Verdict {
  final: boolean;
  free: boolean;
  keyFailure: boolean;
  excludes: 'key' | 'channel';
  ban: 'auth' | `backoff ${number}s` | 'none';
  recorded: boolean;
}

// prettier-ignore
const rows: [string, number, GatewayError, Shape, Verdict][] = [
  ['400 bad request',                 400, err(400),                                                  'one key',     { final: true,  free: false, keyFailure: false, excludes: 'channel', ban: 'none', recorded: false }],
  ['413 too large',                   413, err(413),                                                  'one key',     { final: true,  free: false, keyFailure: false, excludes: 'channel', ban: 'none', recorded: false }],
  ['422 unprocessable',               422, err(422),                                                  'one key',     { final: true,  free: false, keyFailure: false, excludes: 'channel', ban: 'none', recorded: false }],
  ['400 whose body says 401 (Gemini)', 400, err(401, 'API key not valid. Please pass a valid API key.'), 'one key',   { final: false, free: true,  keyFailure: true,  excludes: 'channel', ban: 'auth', recorded: true }],
  ['401 on a one-key channel',        401, err(401),                                                  'one key',     { final: false, free: true,  keyFailure: true,  excludes: 'channel', ban: 'auth', recorded: true }],
  ['401 on a two-key channel',        401, err(401),                                                  'two keys',    { final: false, free: true,  keyFailure: true,  excludes: 'key',     ban: 'auth', recorded: true }],
  ['401 with autoBan off',            401, err(401),                                                  'autoBan off', { final: false, free: true,  keyFailure: true,  excludes: 'channel', ban: 'none', recorded: true }],
  ['mapped 500 whose body says 401',  500, err(401),                                                  'one key',     { final: false, free: true,  keyFailure: true,  excludes: 'channel', ban: 'auth', recorded: true }],
  ['402 out of credit',               402, err(402),                                                  'two keys',    { final: false, free: true,  keyFailure: true,  excludes: 'key',     ban: 'auth', recorded: true }],
  ['403 model access',                403, err(403, 'You are not allowed to sample from this model'), 'two keys',    { final: false, free: true,  keyFailure: false, excludes: 'channel', ban: 'none', recorded: true }],
  ['403 revoked key',                 403, err(403, 'This API key has been revoked.'),                'two keys',    { final: false, free: true,  keyFailure: true,  excludes: 'key',     ban: 'auth', recorded: true }],
  ['404 model',                       404, err(404),                                                  'one key',     { final: false, free: true,  keyFailure: false, excludes: 'channel', ban: 'none', recorded: true }],
  ['429 without Retry-After',         429, err(429),                                                  'one key',     { final: false, free: false, keyFailure: false, excludes: 'channel', ban: 'backoff 5s', recorded: true }],
  ['429 Retry-After 12',              429, err(429, 'slow down', { retryAfterSeconds: 12 }),          'one key',     { final: false, free: false, keyFailure: false, excludes: 'channel', ban: 'backoff 12s', recorded: true }],
  ['429 Retry-After 3600 (capped)',   429, err(429, 'slow down', { retryAfterSeconds: 3600 }),        'one key',     { final: false, free: false, keyFailure: false, excludes: 'channel', ban: 'backoff 60s', recorded: true }],
  ['429 Retry-After 0 (at least 1)',  429, err(429, 'slow down', { retryAfterSeconds: 0 }),           'one key',     { final: false, free: false, keyFailure: false, excludes: 'channel', ban: 'backoff 1s', recorded: true }],
  ['429 with autoBan off',            429, err(429),                                                  'autoBan off', { final: false, free: false, keyFailure: false, excludes: 'channel', ban: 'none', recorded: true }],
  ['429 insufficient_quota',          429, err(429, 'quota', { code: 'insufficient_quota' }),        'two keys',    { final: false, free: true,  keyFailure: true,  excludes: 'key',     ban: 'auth', recorded: true }],
  ['500',                             500, err(500),                                                  'one key',     { final: false, free: false, keyFailure: false, excludes: 'channel', ban: 'none', recorded: true }],
  ['503 overloaded',                  503, err(503),                                                  'two keys',    { final: false, free: false, keyFailure: false, excludes: 'channel', ban: 'backoff 5s', recorded: true }],
];

describe('FailoverPolicy: an upstream error answer → classification, exclusion, ban', () => {
  it.each(rows)('%s', (_name, status, error, shape, expected) => {
    const ch = shaped(shape);
    const f = policy.httpFailure(status, error);
    const ban = policy.banAfter(ch, 'm', 0, f, NOW);
    const verdict: Verdict = {
      final: f.final,
      free: f.free,
      keyFailure: f.keyFailure === true,
      excludes: policy.excludes(f, ch),
      ban: !ban ? 'none' : ban.reason === 'auth' ? 'auth' : `backoff ${(ban.until - NOW) / 1000}s`,
      recorded: policy.healthOutcome(ch, 'm', 0, f, false) !== null,
    };
    expect(verdict).toEqual(expected);
    expect(f.status).toBe(status);
    expect(f.error.status).toBe(status);
    expect(f.kind).toBe('http');
  });

  it('an auth ban is on the key, for a day, probed after BAN_PROBE_INTERVAL_MS, with the upstream detail', () => {
    const ban = policy.banAfter(channel({ id: 4 }, 2), 'm', 1, policy.httpFailure(401, err(401, 'x'.repeat(300))), NOW);
    expect(ban).toEqual({
      channelId: 4,
      keyIndex: 1,
      reason: 'auth',
      until: NOW + 24 * 3600_000,
      nextProbeAt: NOW + 15_000,
      detail: `upstream answered 401: ${'x'.repeat(200)}`,
    });
  });

  it('a back-off is on the channel and model, carries the status and is probed when it ends', () => {
    const ban = policy.banAfter(channel({ id: 4 }), 'gpt', 0, policy.httpFailure(503, err(503, 'busy', { retryAfterSeconds: 2 })), NOW);
    expect(ban).toEqual({ channelId: 4, model: 'gpt', reason: 'backoff', status: 503, until: NOW + 2000, nextProbeAt: NOW + 2000 });
  });

  it('transport failures ban nothing but are recorded; success is recorded ok unless the stream broke', () => {
    const ch = channel();
    for (const f of [transportFailure(504, 'timeout_first_byte', 'slow'), transportFailure(502, 'connect', 'refused')]) {
      expect(policy.banAfter(ch, 'm', 0, f, NOW)).toBeNull();
      expect(policy.healthOutcome(ch, 'm', 0, f, false)).toMatchObject({ ok: false });
      expect(f).toMatchObject({ final: false, free: false });
    }
    expect(transportFailure(504, 'timeout_first_byte', 'slow').error.status).toBe(502);
    // A local 503 (a channel of an unknown type) counts as an upstream 503: it backs the channel off like one.
    expect(policy.banAfter(ch, 'm', 0, localFailure(503, 'unknown type'), NOW)).toMatchObject({ reason: 'backoff', status: 503 });
    expect(policy.banAfter(ch, 'm', 0, undefined, NOW)).toBeNull();
    expect(policy.healthOutcome(channel({}, 2), 'm', 1, undefined, false)).toEqual({
      channelId: 1,
      model: 'm',
      keyIndex: 1,
      multiKey: true,
      ok: true,
      mayBan: true,
    });
    expect(policy.healthOutcome(ch, 'm', 0, undefined, true)).toMatchObject({ ok: false });
  });

  it('a channel without a protocol for the request is free; a body the builder refused is final with its status', () => {
    expect(policy.unsupported(9)).toEqual({
      status: 400,
      kind: 'http',
      error: { status: 400, message: 'channel 9 cannot serve this request' },
      final: false,
      free: true,
    });
    const refused = policy.requestFailure(Object.assign(new Error('bad tool'), { status: 422, param: 'tools' }));
    expect(refused).toMatchObject({ status: 422, final: true, free: false, error: { status: 422, message: 'bad tool', param: 'tools' } });
    expect(policy.requestFailure({})).toMatchObject({ status: 400, error: { message: 'invalid request' } });
  });
});

describe('FailoverPolicy: the retry budget', () => {
  const paid = transportFailure(502, 'network', 'reset');
  const free = policy.httpFailure(404, err(404));

  it('RETRY_BUDGET paid retries, then exhausted (below zero, which stops the fallbacks too); free failures cost nothing', () => {
    const state = { budget: policy.retryBudget };
    expect(policy.charge(free, state)).toBe('free');
    expect(policy.charge(paid, state)).toBe('retry');
    expect(policy.charge(free, state)).toBe('free');
    expect(policy.charge(paid, state)).toBe('retry');
    expect(state.budget).toBe(0);
    expect(policy.charge(paid, state)).toBe('exhausted');
    expect(state.budget).toBeLessThan(0);
  });

  it('labels a retry by status class or failure kind', () => {
    expect(policy.retryReason(policy.httpFailure(503, err(503)))).toBe('5xx');
    expect(policy.retryReason(paid)).toBe('network');
  });
});

describe('FailoverPolicy: the answer when every attempt failed', () => {
  const tallyOf = (...failures: AttemptFailure[]) => {
    const t = new FailoverTally();
    for (const f of failures) t.attempt(f.status, f.error, f.free);
    return t;
  };
  const rateLimited = policy.httpFailure(429, err(429, 'slow', { retryAfterSeconds: 7 }));
  const down = policy.httpFailure(500, err(500, 'boom'));
  const timeout = transportFailure(504, 'timeout_first_byte', 'upstream timeout_first_byte: slow');
  const tooLarge = transportFailure(502, 'too_large', 'upstream body: too big');

  // prettier-ignore
  const rows: [string, AttemptFailure | undefined, boolean, FailoverTally, { status: number; code: string; retryAfter?: number; message?: RegExp }][] = [
    ['a first-byte timeout last',      timeout,     true,  tallyOf(rateLimited, timeout), { status: 504, code: 'upstream_timeout' }],
    ['only rate limiting',             rateLimited, true,  tallyOf(rateLimited),          { status: 429, code: 'rate_limit_exceeded', retryAfter: 7 }],
    ['rate limiting and a 5xx',        down,        true,  tallyOf(rateLimited, down),    { status: 503, code: 'no_available_channel', message: /boom/ }],
    ['an answer too large last',       tooLarge,    true,  tallyOf(tooLarge),             { status: 502, code: 'upstream_response_too_large', message: /too big/ }],
    ['every channel banned',           undefined,   false, new FailoverTally(),           { status: 503, code: 'no_available_channel', message: /every channel is banned/ }],
    ['no channel could be tried',      undefined,   true,  new FailoverTally(),           { status: 503, code: 'no_available_channel', message: /right now\.$/ }],
  ];

  it.each(rows)('%s', (_name, last, sawCandidate, tally, expected) => {
    const e = policy.exhaustedError('m', last, sawCandidate, tally);
    expect({ status: e.status, code: e.code }).toEqual({ status: expected.status, code: expected.code });
    if (expected.retryAfter !== undefined) expect(e.details.retryAfterSeconds).toBe(expected.retryAfter);
    if (expected.message) expect(e.message).toMatch(expected.message);
  });
});
