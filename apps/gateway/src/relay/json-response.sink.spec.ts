import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import type { RoutingTableService } from '../state/routing-table.service';
import type { AdmissionService } from '../admission/admission.service';
import type { UsageQueue } from '@switchboard/messaging';
import { JsonResponseSink } from './json-response.sink';
import { attemptContext, channel, FakeReply, inboundCall, upstreamResponse } from './relay.fixture';
import { UsageRecorder } from './usage-recorder';
import type { UpstreamResponse } from './upstream-response';

const recorder = new UsageRecorder(
  {} as AdmissionService,
  { modelLabel: (m: string) => m } as unknown as RoutingTableService,
  { publish: () => undefined, pending: () => 0 } as unknown as UsageQueue,
);
const observed = jest.spyOn(recorder, 'observeUpstream');
const sink = new JsonResponseSink(recorder, { UPSTREAM_MAX_RESPONSE_BYTES: 1024 });

const completion = {
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1,
  model: 'up-m',
  choices: [{ index: 0, message: { role: 'assistant', content: 'Hi there' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 9, completion_tokens: 2, total_tokens: 11 },
};

function ctxFor(protocol: 'openai-chat' | 'anthropic' = 'openai-chat') {
  const reply = new FakeReply();
  const ctx = attemptContext(inboundCall({ protocol }), reply);
  ctx.channel = channel({ id: 5 });
  ctx.upstreamProtocol = 'openai-chat';
  ctx.convert = { upstreamModel: 'up-m', requestedModel: 'm', stream: false, requestId: 'req-1', clientBody: ctx.call.body };
  ctx.t0 = performance.now();
  return { ctx, reply };
}

beforeEach(() => observed.mockClear());

describe('JsonResponseSink', () => {
  it('same protocol: the upstream bytes go to the client as they came, with the upstream usage', async () => {
    const { ctx, reply } = ctxFor();
    const text = JSON.stringify(completion);
    expect(await sink.relay(ctx, upstreamResponse(200, [text]))).toBeUndefined();
    expect(reply.statusCode).toBe(200);
    expect(reply.sentHeaders['content-type']).toBe('application/json');
    expect(Buffer.isBuffer(reply.payload) && reply.payload.toString()).toBe(text);
    expect(ctx.draft).toMatchObject({ status: 200, usage: { promptTokens: 9, completionTokens: 2 } });
    expect(ctx.draft.upstreamMs).toBeGreaterThanOrEqual(0);
    expect(observed).toHaveBeenCalledWith(5, 'openai-chat', '2xx', ctx.t0);
  });

  it('a whole answer carries its cost in USD (x-switchboard-cost), billed as the log will be', async () => {
    const { ctx, reply } = ctxFor();
    ctx.token = { group: { name: 'default', priceRatio: 2 } } as unknown as NonNullable<typeof ctx.token>;
    ctx.price = { model: 'm', inputMicros: 3_000_000, outputMicros: 15_000_000, cacheReadMicros: 0, cacheWriteMicros: 0, perRequestMicros: 0 };
    await sink.relay(ctx, upstreamResponse(200, [JSON.stringify(completion)]));
    // $3 and $15 per million tokens: (9 × 3 + 2 × 15) µ$ × ratio 2 = 114 µ$
    expect(ctx.draft.costMicros).toBe(114);
    expect(reply.sentHeaders['x-switchboard-cost']).toBe('0.000114');
  });

  it("another protocol: converted to the client's shape, named as the client asked", async () => {
    const { ctx, reply } = ctxFor('anthropic');
    await sink.relay(ctx, upstreamResponse(200, [JSON.stringify(completion)]));
    const body = JSON.parse(reply.payload as string) as Record<string, unknown>;
    expect(body).toMatchObject({ type: 'message', role: 'assistant', model: 'm', content: [{ type: 'text', text: 'Hi there' }] });
  });

  it('no usage from the upstream: counted by the tokenizer', async () => {
    const { ctx } = ctxFor();
    await sink.relay(ctx, upstreamResponse(200, [JSON.stringify({ ...completion, usage: undefined })]));
    expect(ctx.draft.usage.completionTokens).toBe(2);
    expect(ctx.draft.usage.promptTokens).toBeGreaterThan(0);
  });

  it('a body that is not a JSON object: a 502 network failure, nothing sent (the next channel may serve)', async () => {
    for (const text of ['<html>oops</html>', '42', 'null']) {
      const { ctx, reply } = ctxFor();
      expect(await sink.relay(ctx, upstreamResponse(200, [text]))).toEqual({
        status: 502,
        kind: 'network',
        error: { status: 502, message: 'upstream sent a body that is not JSON' },
        final: false,
        free: false,
      });
      expect(reply.sent).toBe(false);
    }
    expect(observed).not.toHaveBeenCalled();
  });

  it('a body past UPSTREAM_MAX_RESPONSE_BYTES or broken: a failure of its kind, nothing sent', async () => {
    const { ctx, reply } = ctxFor();
    expect(await sink.relay(ctx, upstreamResponse(200, ['x'.repeat(2000)]))).toMatchObject({ status: 502, kind: 'too_large', final: false });
    const broken = await sink.relay(ctx, upstreamResponse(200, [Object.assign(new Error('idle'), { code: 'UND_ERR_BODY_TIMEOUT' })]));
    expect(broken).toMatchObject({ status: 502, kind: 'timeout_idle', error: { message: 'upstream body: idle' } });
    expect(reply.sent).toBe(false);
  });
});

describe('JsonResponseSink: images', () => {
  const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
  function imagesCtx(body: Record<string, unknown>) {
    const reply = new FakeReply();
    const call = inboundCall({
      protocol: 'openai-images',
      operation: 'image.generate',
      endpoint: 'images.generations',
      model: String(body.model),
      body,
      raw: Buffer.from(JSON.stringify(body)),
    });
    const ctx = attemptContext(call, reply);
    ctx.channel = channel({ id: 6 });
    ctx.upstreamProtocol = 'gemini';
    ctx.convert = { upstreamModel: String(body.model), requestedModel: String(body.model), stream: false, requestId: 'req-1', clientBody: body };
    ctx.t0 = performance.now();
    return { ctx, reply };
  }
  const price = {
    model: 'imagen-4.0-generate-001',
    inputMicros: 0,
    outputMicros: 0,
    cacheReadMicros: 0,
    cacheWriteMicros: 0,
    perRequestMicros: 0,
    perImageMicros: 40_000,
    perImageBySizeMicros: { '1792x1024': 60_000, 'hd:1792x1024': 80_000 },
  };
  const token = { group: { name: 'default', priceRatio: 1 } } as unknown as Parameters<UsageRecorder['bill']>[2];

  it('a Gemini answer in OpenAI shape, billed per image returned at the size and quality asked', async () => {
    const body = { model: 'imagen-4.0-generate-001', prompt: 'a crane', n: 3, size: '1792x1024', quality: 'hd' };
    const { ctx, reply } = imagesCtx(body);
    // 3 asked, 2 made: one was filtered
    const answer = {
      predictions: [{ bytesBase64Encoded: png, mimeType: 'image/png' }, { raiFilteredReason: 'x' }, { bytesBase64Encoded: png, mimeType: 'image/png' }],
    };
    expect(await sink.relay(ctx, upstreamResponse(200, [JSON.stringify(answer)]))).toBeUndefined();
    expect(JSON.parse(reply.payload as string)).toMatchObject({ data: [{ b64_json: png }, { b64_json: png }] });
    expect(ctx.draft.units).toEqual({ images: 2, imageSize: '1792x1024', imageQuality: 'hd' });
    recorder.bill(ctx.draft, price, token);
    expect(ctx.draft.costMicros).toBe(2 * 80_000);
    expect(ctx.draft.build(1)).toMatchObject({ endpoint: 'images.generations', units: { images: 2 }, protocol: 'openai-images' });
    ctx.draft.units = { images: 2, imageSize: '1792x1024', imageQuality: 'standard' };
    recorder.bill(ctx.draft, price, token);
    expect(ctx.draft.costMicros).toBe(2 * 60_000);
  });

  it('every image held back: the client gets a 400 content_policy_violation, not a 500', async () => {
    const { ctx } = imagesCtx({ model: 'imagen-4.0-generate-001', prompt: 'x' });
    await expect(sink.relay(ctx, upstreamResponse(200, [JSON.stringify({ predictions: [{ raiFilteredReason: 'blocked' }] })]))).rejects.toMatchObject({
      name: 'DomainError',
      status: 400,
      code: 'content_policy_violation',
    });
  });
});

describe('JsonResponseSink, upstream that only streams (Kiro)', () => {
  const codec = new EventStreamCodec(toUtf8, fromUtf8);
  const frame = (event: string, payload: unknown, type = 'event') =>
    Buffer.from(
      codec.encode({
        headers: {
          ':message-type': { type: 'string', value: type },
          ...(type === 'event'
            ? { ':event-type': { type: 'string' as const, value: event } }
            : { ':exception-type': { type: 'string' as const, value: event } }),
        },
        body: fromUtf8(JSON.stringify(payload)),
      }),
    );
  const binary = (bytes: Buffer, step: number): UpstreamResponse =>
    ({
      statusCode: 200,
      header: () => undefined,
      async *[Symbol.asyncIterator]() {
        for (let i = 0; i < bytes.length; i += step) {
          await Promise.resolve();
          yield bytes.subarray(i, i + step);
        }
      },
    }) as unknown as UpstreamResponse;
  const kiroCtx = () => {
    const { ctx, reply } = ctxFor('anthropic');
    ctx.channel = channel({ id: 8, type: 'kiro' });
    ctx.upstreamProtocol = 'kiro';
    return { ctx, reply };
  };

  it("aggregates the event stream into one answer in the client's protocol, with the upstream's usage", async () => {
    const { ctx, reply } = kiroCtx();
    const bytes = Buffer.concat([
      frame('assistantResponseEvent', { content: 'Checking ' }),
      frame('assistantResponseEvent', { content: 'now.' }),
      frame('toolUseEvent', { toolUseId: 'tu_1', name: 'get_weather', input: '{"city":' }),
      frame('toolUseEvent', { toolUseId: 'tu_1', name: 'get_weather', input: '"Oslo"}', stop: true }),
      frame('metadataEvent', { tokenUsage: { uncachedInputTokens: 40, cacheReadInputTokens: 2, outputTokens: 12 } }),
    ]);
    expect(await new JsonResponseSink(recorder, { UPSTREAM_MAX_RESPONSE_BYTES: 1 << 20 }).relay(ctx, binary(bytes, 7))).toBeUndefined();
    expect(JSON.parse(reply.payload as string)).toMatchObject({
      type: 'message',
      model: 'm',
      stop_reason: 'tool_use',
      content: [
        { type: 'text', text: 'Checking now.' },
        { type: 'tool_use', id: 'tu_1', name: 'get_weather', input: { city: 'Oslo' } },
      ],
      usage: { input_tokens: 40, output_tokens: 12 },
    });
    expect(ctx.draft).toMatchObject({ status: 200, usage: { promptTokens: 42, completionTokens: 12, cacheReadTokens: 2 } });
    expect(observed).toHaveBeenCalledWith(8, 'kiro', '2xx', ctx.t0);
  });

  it('a stream the attempt asked for (stream-fake) is aggregated into the ordinary answer, usage from the usage chunk', async () => {
    const { ctx, reply } = ctxFor();
    ctx.upstreamStream = true;
    const chunk = (o: Record<string, unknown>) =>
      `data: ${JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'up-m', ...o })}\n\n`;
    const sse = [
      chunk({ choices: [{ index: 0, delta: { role: 'assistant', content: 'Hi ' }, finish_reason: null }] }),
      chunk({ choices: [{ index: 0, delta: { content: 'there' }, finish_reason: 'stop' }] }),
      chunk({ choices: [], usage: { prompt_tokens: 9, completion_tokens: 2, total_tokens: 11 } }),
      'data: [DONE]\n\n',
    ];
    expect(await sink.relay(ctx, upstreamResponse(200, sse, { 'content-type': 'text/event-stream' }))).toBeUndefined();
    expect(JSON.parse(reply.payload as string)).toMatchObject({
      object: 'chat.completion',
      model: 'm',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hi there' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 9, completion_tokens: 2, total_tokens: 11 },
    });
    expect(ctx.draft).toMatchObject({ status: 200, usage: { promptTokens: 9, completionTokens: 2 } });
  });

  it('an exception inside the stream: nothing sent, a failure of its status (throttling → 429) for failover', async () => {
    const { ctx, reply } = kiroCtx();
    const bytes = Buffer.concat([
      frame('assistantResponseEvent', { content: 'Hi' }),
      frame('throttlingException', { message: 'Too many requests, please wait' }, 'exception'),
    ]);
    const failure = await sink.relay(ctx, binary(bytes, 5));
    expect(failure).toMatchObject({ status: 429, kind: 'http', final: false, error: { message: 'Too many requests, please wait' } });
    expect(reply.payload).toBeUndefined();
  });

  it('a stream larger than UPSTREAM_MAX_RESPONSE_BYTES is an upstream failure', async () => {
    const { ctx } = kiroCtx();
    const bytes = Buffer.concat(Array.from({ length: 40 }, () => frame('assistantResponseEvent', { content: 'x'.repeat(40) })));
    expect(await sink.relay(ctx, binary(bytes, 100))).toMatchObject({ status: 502, error: { message: expect.stringMatching(/larger than 1024 bytes/) } });
  });
});
