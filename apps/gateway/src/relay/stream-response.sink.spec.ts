import type { UsageQueue } from '@switchboard/messaging';
import type { AdmissionService } from '../admission/admission.service';
import type { RoutingTableService } from '../state/routing-table.service';
import { attemptContext, channel, FakeReply, inboundCall, upstreamResponse } from './relay.fixture';
import { StreamResponseSink } from './stream-response.sink';
import { UsageRecorder } from './usage-recorder';

const recorder = new UsageRecorder(
  {} as AdmissionService,
  { modelLabel: (m: string) => m } as unknown as RoutingTableService,
  { publish: () => undefined, pending: () => 0 } as unknown as UsageQueue,
);
const observed = jest.spyOn(recorder, 'observeUpstream');
const sink = new StreamResponseSink(recorder, { UPSTREAM_MAX_RESPONSE_BYTES: 1024 * 1024 });

const chunk = (delta: object, finish: string | null = null) =>
  `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'up-m', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
const usage = `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'up-m', choices: [], usage: { prompt_tokens: 4, completion_tokens: 3, total_tokens: 7 } })}\n\n`;
const SSE = [chunk({ role: 'assistant', content: 'Hel' }), chunk({ content: 'lo' }), chunk({}, 'stop'), usage, 'data: [DONE]\n\n'];

function ctxFor(protocol: 'openai-chat' | 'anthropic' = 'openai-chat') {
  const reply = new FakeReply();
  reply.header('x-ratelimit-remaining-requests', '9');
  const ctx = attemptContext(inboundCall({ protocol, stream: true }), reply);
  ctx.channel = channel({ id: 5 });
  ctx.upstreamProtocol = 'openai-chat';
  ctx.convert = { upstreamModel: 'up-m', requestedModel: 'm', stream: true, requestId: 'req-1', clientBody: ctx.call.body };
  ctx.t0 = performance.now();
  return { ctx, reply, raw: reply.raw };
}

beforeEach(() => observed.mockClear());

describe('StreamResponseSink', () => {
  it('relays the events with the SSE headers, the headers set before (rate limits) and the request id; usage and ttft', async () => {
    const { ctx, reply, raw } = ctxFor();
    expect(await sink.relay(ctx, upstreamResponse(200, SSE))).toBeUndefined();
    expect(reply.hijacked).toBe(true);
    expect(raw.status).toBe(200);
    expect(raw.head).toEqual({
      'x-ratelimit-remaining-requests': '9',
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      'x-request-id': 'req-1',
      'x-accel-buffering': 'no',
    });
    const out = raw.chunks.join('');
    expect(out).toContain('"content":"Hel"');
    expect(out).toContain('"content":"lo"');
    expect(out.trimEnd().endsWith('data: [DONE]')).toBe(true);
    expect(raw.writableEnded).toBe(true);
    expect(ctx.draft).toMatchObject({ status: 200, error: null, upstreamBroken: false, usage: { promptTokens: 4, completionTokens: 3 } });
    expect(ctx.draft.ttftMs).not.toBeNull();
    expect(observed).toHaveBeenCalledWith(5, 'openai-chat', '2xx', ctx.t0);
  });

  it("Anthropic clients get Anthropic events and Anthropic's content type", async () => {
    const { ctx, raw } = ctxFor('anthropic');
    await sink.relay(ctx, upstreamResponse(200, SSE));
    expect(raw.head['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(raw.chunks.join('')).toContain('event: message_start');
  });

  it('waits for drain when the client is behind (backpressure)', async () => {
    const { ctx, raw } = ctxFor();
    raw.full = true;
    let done = false;
    const p = sink.relay(ctx, upstreamResponse(200, SSE)).then(() => (done = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(done).toBe(false);
    expect(raw.chunks).toHaveLength(1);
    raw.full = false;
    raw.emit('drain');
    await p;
    expect(raw.writableEnded).toBe(true);
  });

  it('the upstream broke before any byte reached the client: a failure to fail over on, nothing written', async () => {
    const { ctx, reply, raw } = ctxFor();
    const failure = await sink.relay(ctx, upstreamResponse(200, [Object.assign(new Error('idle'), { code: 'UND_ERR_BODY_TIMEOUT' })]));
    expect(failure).toEqual({ status: 504, kind: 'timeout_idle', error: { status: 502, message: 'upstream stream: idle' }, final: false, free: false });
    expect(reply.hijacked).toBe(false);
    expect(raw.chunks).toHaveLength(0);
    expect(observed).toHaveBeenCalledWith(5, 'openai-chat', '5xx', ctx.t0);
  });

  it('the upstream broke after bytes were sent: an error event in the stream, logged as broken, usage of what was sent', async () => {
    const { ctx, raw } = ctxFor();
    expect(await sink.relay(ctx, upstreamResponse(200, [SSE[0], Object.assign(new Error('reset'), { code: 'ECONNRESET' })]))).toBeUndefined();
    expect(ctx.draft).toMatchObject({ status: 200, error: 'upstream stream ended early: network', upstreamBroken: true });
    expect(raw.chunks.join('')).toContain('upstream stream ended early: network');
    expect(raw.writableEnded).toBe(true);
    expect(ctx.draft.usage.completionTokens).toBeGreaterThan(0);
  });

  it('the client left mid-stream: 499, nothing more written, not counted against the upstream', async () => {
    const { ctx, raw } = ctxFor();
    raw.destroyed = true;
    const body = upstreamResponse(200, [SSE[0], new Error('aborted')]);
    // Sends the first event, then the client is gone when the upstream read fails.
    await sink.relay(ctx, body);
    expect(ctx.draft).toMatchObject({ status: 499, error: 'client closed the connection', upstreamBroken: false });
  });

  it("an error event inside the upstream's stream: relayed, and the attempt is logged as broken", async () => {
    const { ctx } = ctxFor();
    const errorEvent = `data: ${JSON.stringify({ error: { message: 'overloaded', type: 'server_error' } })}\n\n`;
    await sink.relay(ctx, upstreamResponse(200, [SSE[0], errorEvent]));
    expect(ctx.draft.upstreamBroken).toBe(true);
    expect(ctx.draft.error).toMatch(/^upstream stream error \(\d+\): overloaded$/);
  });
});
