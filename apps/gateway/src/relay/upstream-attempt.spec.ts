import { startFakeKiro, type FakeKiro } from '@switchboard/testing';
import type { RuntimeChannel, RuntimeKey } from '../state/routing-table.service';
import type { UsageRecorder } from './usage-recorder';
import type { JsonResponseSink } from './json-response.sink';
import type { StreamResponseSink } from './stream-response.sink';
import type { BytesResponseSink } from './bytes-response.sink';
import type { UpstreamClient } from './upstream.client';
import { FailoverPolicy } from './failover-policy';
import { attemptContext, channel, inboundCall, upstreamResponse } from './relay.fixture';
import { UpstreamAttempt } from './upstream-attempt';
import type { UpstreamResponse } from './upstream-response';

function setup(send: () => Promise<UpstreamResponse>) {
  const upstream = { timeoutsFor: () => ({ connectMs: 1, firstByteMs: 1, idleMs: 1 }), send: jest.fn(send) };
  const recorder = { observeUpstream: jest.fn() };
  const json = { relay: jest.fn(() => Promise.resolve(undefined)) };
  const stream = { relay: jest.fn(() => Promise.resolve(undefined)) };
  const bytes = { relay: jest.fn(() => Promise.resolve(undefined)) };
  const attempt = new UpstreamAttempt(
    upstream as unknown as UpstreamClient,
    new FailoverPolicy({ RETRY_BUDGET: 1, BAN_PROBE_INTERVAL_MS: 1 }),
    recorder as unknown as UsageRecorder,
    json as unknown as JsonResponseSink,
    stream as unknown as StreamResponseSink,
    bytes as unknown as BytesResponseSink,
  );
  return { attempt, upstream, recorder, json, stream, bytes };
}

const ctxOf = (over = {}, headers: Record<string, string> = {}) => {
  const ctx = attemptContext(inboundCall(over), undefined, headers);
  ctx.model = 'm';
  return ctx;
};

describe('UpstreamAttempt', () => {
  it("sends the channel's request (mapped model, its URL, key and headers) and hands a 200 to the JSON sink", async () => {
    const res = upstreamResponse(200, ['{}']);
    const { attempt, upstream, json, stream } = setup(() => Promise.resolve(res));
    const ctx = ctxOf();
    const ch = channel({ id: 3, modelMapping: { m: 'up-m' }, headers: { 'x-org': 'acme' } });
    expect(await attempt.run(ctx, ch, ch.keys[0])).toBeUndefined();
    const [url, headers, body] = upstream.send.mock.calls[0] as unknown as [string, Record<string, string>, string];
    expect(url).toBe('http://upstream.test/v1/chat/completions');
    expect(headers).toMatchObject({ 'content-type': 'application/json', accept: 'application/json', authorization: 'Bearer k0', 'x-org': 'acme' });
    expect(JSON.parse(body)).toMatchObject({ model: 'up-m' });
    expect(json.relay).toHaveBeenCalledWith(ctx, res);
    expect(stream.relay).not.toHaveBeenCalled();
    expect(ctx.draft).toMatchObject({ channelId: 3, upstreamModel: 'up-m', upstreamProtocol: 'openai-chat' });
  });

  it('a streamed call goes to the stream sink', async () => {
    const { attempt, stream } = setup(() => Promise.resolve(upstreamResponse(200)));
    const ch = channel();
    await attempt.run(ctxOf({ stream: true }), ch, ch.keys[0]);
    expect(stream.relay).toHaveBeenCalledTimes(1);
  });

  it("an Anthropic client's version headers pass through to an Anthropic upstream", async () => {
    const { attempt, upstream } = setup(() => Promise.resolve(upstreamResponse(200)));
    const call = inboundCall({ protocol: 'anthropic', body: { model: 'm', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] } });
    const ctx = attemptContext(call, undefined, { 'anthropic-version': '2023-06-01', 'anthropic-beta': 'tools-1' });
    ctx.model = 'm';
    const ch = channel({ type: 'anthropic' });
    await attempt.run(ctx, ch, ch.keys[0]);
    expect((upstream.send.mock.calls[0] as unknown[])[1]).toMatchObject({ 'anthropic-version': '2023-06-01', 'anthropic-beta': 'tools-1', 'x-api-key': 'k0' });
  });

  it("an error answer: parsed, its status mapped by the channel, Retry-After kept; observed by the mapped status' class", async () => {
    const body = JSON.stringify({ error: { message: 'slow down', type: 'requests', code: 'rate_limit_exceeded' } });
    const { attempt, recorder } = setup(() => Promise.resolve(upstreamResponse(500, [body], { 'retry-after': '7' })));
    const ch = channel({ id: 3, statusCodeMapping: { '500': 429 } });
    const failure = await attempt.run(ctxOf(), ch, ch.keys[0]);
    expect(failure).toMatchObject({ status: 429, kind: 'http', final: false, free: false, error: { status: 429, message: 'slow down', retryAfterSeconds: 7 } });
    expect(recorder.observeUpstream).toHaveBeenCalledWith(3, 'openai-chat', '4xx', expect.any(Number));
  });

  it("a provider reading its own errors (Bedrock's x-amzn-ErrorType) decides the status routing acts on; the admin's mapping still wins", async () => {
    const onDemand = JSON.stringify({
      message:
        'Invocation of model ID x with on-demand throughput isn’t supported. Retry your request with the ID or ARN of an inference profile that contains this model.',
    });
    const errorType = { 'x-amzn-errortype': 'ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/' };
    const bedrock = (over = {}) =>
      channel({ type: 'bedrock', baseUrl: 'http://bedrock.test', config: { region: 'us-east-1' }, keys: [{ index: 0, key: 'ABSKkey' }], ...over });
    const { attempt, upstream } = setup(() => Promise.resolve(upstreamResponse(400, [onDemand], errorType)));
    const ch = bedrock();
    // the model cannot be served here, so another channel is tried (free), rather than the client getting a 400
    expect(await attempt.run(ctxOf(), ch, ch.keys[0])).toMatchObject({
      status: 404,
      final: false,
      free: true,
      keyFailure: false,
      error: { code: 'ValidationException' },
    });
    expect((upstream.send.mock.calls[0] as unknown[])[1]).toMatchObject({ authorization: 'Bearer ABSKkey' });
    const mapped = bedrock({ statusCodeMapping: { '400': 503 } });
    const second = setup(() => Promise.resolve(upstreamResponse(400, [onDemand], errorType)));
    expect(await second.attempt.run(ctxOf(), mapped, mapped.keys[0])).toMatchObject({ status: 503, final: false });
  });

  it('the upstream not reached: a transport failure of its kind (first-byte timeout → 504)', async () => {
    const { attempt } = setup(() => Promise.reject(Object.assign(new Error('headers timeout'), { code: 'UND_ERR_HEADERS_TIMEOUT' })));
    const ch = channel();
    expect(await attempt.run(ctxOf(), ch, ch.keys[0])).toEqual({
      status: 504,
      kind: 'timeout_first_byte',
      error: { status: 502, message: 'upstream timeout_first_byte: headers timeout' },
      final: false,
      free: false,
    });
  });

  it('a channel of an unknown type: 503, nothing sent', async () => {
    const { attempt, upstream } = setup(() => Promise.resolve(upstreamResponse(200)));
    const ch = channel({ id: 8, type: 'nope' });
    expect(await attempt.run(ctxOf(), ch, ch.keys[0])).toMatchObject({ status: 503, error: { message: 'channel 8 has an unknown type nope' } });
    expect(upstream.send).not.toHaveBeenCalled();
  });
});

describe('UpstreamAttempt, minted credentials (Kiro)', () => {
  let fake: FakeKiro;
  beforeAll(async () => {
    fake = await startFakeKiro();
  });
  afterAll(() => fake.close());
  const STALE = JSON.stringify({ message: 'The bearer token included in the request is invalid.', reason: null });
  const kiroChannel = (rt: string) => {
    fake.addAccount({ refreshToken: rt });
    return channel({ type: 'kiro', baseUrl: fake.url, config: { refreshUrl: fake.socialRefreshUrl }, models: ['claude-sonnet-4.5'] }, 0) as RuntimeChannel & {
      keys: RuntimeKey[];
    };
  };
  const withKey = (ch: RuntimeChannel, rt: string) => ({ ...ch, keys: [{ index: 0, key: JSON.stringify({ refreshToken: rt, authMethod: 'social' }) }] });

  it('a 403 for a stale token: the token is renewed and the request sent once more on the same key', async () => {
    const ch = withKey(kiroChannel('rt-attempt-1'), 'rt-attempt-1');
    const sent: string[] = [];
    const { attempt, json } = setup(() => Promise.resolve(upstreamResponse(200)));
    const { upstream } = { upstream: (attempt as unknown as { upstream: { send: jest.Mock } }).upstream };
    // the headers as each request left (the attempt renews them in place)
    upstream.send.mockImplementation((_url: string, headers: Record<string, string>) => {
      sent.push(headers.authorization);
      return Promise.resolve(sent.length === 1 ? upstreamResponse(403, [STALE]) : upstreamResponse(200));
    });
    const ctx = ctxOf({ model: 'claude-sonnet-4.5' });
    ctx.model = 'claude-sonnet-4.5';
    expect(await attempt.run(ctx, ch, ch.keys[0])).toBeUndefined();
    expect(sent).toHaveLength(2);
    expect(sent[0]).not.toBe(sent[1]);
    expect(fake.refreshes('rt-attempt-1')).toBe(2);
    expect(json.relay).toHaveBeenCalledTimes(1);
  });

  it('refused again with the fresh token: the failure is reported, no third try', async () => {
    const ch = withKey(kiroChannel('rt-attempt-2'), 'rt-attempt-2');
    const { attempt, upstream } = setup(() => Promise.resolve(upstreamResponse(403, [STALE])));
    const ctx = ctxOf({ model: 'claude-sonnet-4.5' });
    ctx.model = 'claude-sonnet-4.5';
    expect(await attempt.run(ctx, ch, ch.keys[0])).toMatchObject({ status: 403, error: { message: 'The bearer token included in the request is invalid.' } });
    expect(upstream.send).toHaveBeenCalledTimes(2);
  });

  it('a dead refresh token: the key fails with 401 before anything is sent', async () => {
    const ch = withKey(kiroChannel('rt-attempt-3'), 'rt-attempt-3');
    fake.killRefreshToken('rt-attempt-3');
    const { attempt, upstream } = setup(() => Promise.resolve(upstreamResponse(200)));
    const ctx = ctxOf({ model: 'claude-sonnet-4.5' });
    ctx.model = 'claude-sonnet-4.5';
    expect(await attempt.run(ctx, ch, ch.keys[0])).toMatchObject({ status: 401, keyFailure: true, error: { message: expect.stringMatching(/invalid_grant/) } });
    expect(upstream.send).not.toHaveBeenCalled();
  });

  it('a provider without minted credentials is not retried on a 401', async () => {
    const { attempt, upstream } = setup(() => Promise.resolve(upstreamResponse(401, ['{"error":{"message":"bad key"}}'])));
    const ch = channel();
    expect(await attempt.run(ctxOf(), ch, ch.keys[0])).toMatchObject({ status: 401, keyFailure: true });
    expect(upstream.send).toHaveBeenCalledTimes(1);
  });
});
