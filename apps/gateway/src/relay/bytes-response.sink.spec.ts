import type { UsageQueue } from '@switchboard/messaging';
import type { AdmissionService } from '../admission/admission.service';
import type { RoutingTableService } from '../state/routing-table.service';
import { BytesResponseSink } from './bytes-response.sink';
import { attemptContext, channel, FakeReply, inboundCall, upstreamResponse } from './relay.fixture';
import { UsageRecorder } from './usage-recorder';

const recorder = new UsageRecorder(
  {} as AdmissionService,
  { modelLabel: (m: string) => m } as unknown as RoutingTableService,
  { publish: () => undefined, pending: () => 0 } as unknown as UsageQueue,
);
const sink = new BytesResponseSink(recorder);

function ctxFor() {
  const reply = new FakeReply();
  reply.header('x-ratelimit-remaining-requests', '9');
  const body = { model: 'tts-1', input: 'Hello there', voice: 'alloy' };
  const call = inboundCall({
    protocol: 'openai-audio',
    operation: 'audio.speech',
    endpoint: 'audio.speech',
    model: 'tts-1',
    body,
    raw: Buffer.from(JSON.stringify(body)),
  });
  const ctx = attemptContext(call, reply);
  ctx.channel = channel({ id: 5 });
  ctx.upstreamProtocol = 'openai-audio';
  ctx.t0 = performance.now();
  return { ctx, reply, raw: reply.raw };
}

describe('BytesResponseSink (speech audio, subtitles: answers that are not JSON)', () => {
  it('relays the bytes as they come with the upstream content type, the headers set before and the request id', async () => {
    const { ctx, reply, raw } = ctxFor();
    const res = upstreamResponse(200, ['RIFF', '....WAVEfmt '], {
      'content-type': 'audio/wav',
      'content-disposition': 'attachment; filename="s.wav"',
      'set-cookie': 'x=1',
    });
    expect(await sink.relay(ctx, res)).toBeUndefined();
    expect(reply.hijacked).toBe(true);
    expect([raw.status, raw.chunks.join(''), raw.writableEnded]).toEqual([200, 'RIFF....WAVEfmt ', true]);
    expect(raw.head).toEqual({
      'x-ratelimit-remaining-requests': '9',
      'x-request-id': 'req-1',
      'content-type': 'audio/wav',
      'content-disposition': 'attachment; filename="s.wav"',
      // no price for this model: free, and said so
      'x-switchboard-cost': '0.000000',
    });
    expect(ctx.draft.status).toBe(200);
    expect(ctx.draft.ttftMs).not.toBeNull();
  });

  it('a body that breaks before the first byte fails over (nothing was sent)', async () => {
    const { ctx, reply } = ctxFor();
    const failure = await sink.relay(ctx, upstreamResponse(200, [Object.assign(new Error('socket hang up'), { code: 'UND_ERR_SOCKET' })]));
    expect(failure).toMatchObject({ status: 502 });
    expect(reply.hijacked).toBe(false);
  });

  it('a body that breaks after bytes went out cuts the client connection (a truncated file must not look complete)', async () => {
    const { ctx, raw } = ctxFor();
    expect(await sink.relay(ctx, upstreamResponse(200, ['ID3....', new Error('reset')], { 'content-type': 'audio/mpeg' }))).toBeUndefined();
    expect([raw.destroyed, raw.writableEnded]).toEqual([true, false]);
    expect(ctx.draft).toMatchObject({ status: 502, upstreamBroken: true });
    expect(ctx.draft.units).toBeNull();
  });
});
