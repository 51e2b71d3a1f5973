import type { RoutingTableService } from '../state/routing-table.service';
import type { AdmissionService } from '../admission/admission.service';
import type { UsageQueue } from '@switchboard/messaging';
import { JsonResponseSink } from './json-response.sink';
import { attemptContext, channel, FakeReply, inboundCall, upstreamResponse } from './relay.fixture';
import { UsageRecorder } from './usage-recorder';

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
