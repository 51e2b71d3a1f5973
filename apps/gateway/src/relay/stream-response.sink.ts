import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@switchboard/config';
import { statusClass } from '@switchboard/observability';
import { createStreamTranslator, DEFAULT_MAX_SSE_EVENT_CHARS, protocolDescriptor } from '@switchboard/protocols';
import { providerFor } from '@switchboard/providers';
import { answerTransforms } from '../plugins/plugin-stage';
import type { AttemptContext } from './attempt-context';
import { transportFailure, type AttemptFailure } from './failover-policy';
import { classifyUpstreamError } from './upstream.client';
import type { UpstreamResponse } from './upstream-response';
import { countedUsage, UsageRecorder } from './usage-recorder';
import { measureFromRequest, NO_USAGE } from './family-accounting';
import { tapEnd, tapWrite } from '../plugins/plugin-stage';

/**
 * A streamed upstream answer to the client, chunk by chunk through the protocol translator, with backpressure. The
 * client's headers go with the first bytes: until then a broken upstream can still fail over; after, the stream ends
 * with an error event in the client's protocol. Usage is the upstream's count, else the tokenizer's of what was sent.
 */
@Injectable()
export class StreamResponseSink {
  /** The longest unfinished upstream SSE event a stream holds back (a line without end would grow forever). */
  private readonly maxSseEventChars: number;

  constructor(
    private readonly recorder: UsageRecorder,
    @Inject(APP_CONFIG) config: Pick<AppConfig, 'UPSTREAM_MAX_RESPONSE_BYTES'>,
  ) {
    this.maxSseEventChars = Math.min(DEFAULT_MAX_SSE_EVENT_CHARS, config.UPSTREAM_MAX_RESPONSE_BYTES);
  }

  /** Undefined once the client got a response; a failure only when the upstream broke before any byte was sent. */
  async relay(ctx: AttemptContext, res: UpstreamResponse): Promise<AttemptFailure | undefined> {
    const { call, draft, reply, upstreamProtocol, t0 } = ctx;
    const translator = createStreamTranslator(upstreamProtocol, call.protocol, ctx.convert!, this.maxSseEventChars, answerTransforms(ctx));
    const decoder = new TextDecoder('utf-8');
    // A provider that frames its stream otherwise (AWS's binary event stream) turns it into the SSE text decoders read.
    const framer = providerFor(ctx.channel!.type)?.streamFramer?.(upstreamProtocol);
    const raw = reply.raw;
    const contentType = protocolDescriptor(call.protocol).streamContentType;
    const taps = ctx.taps;
    let started = false;
    const start = () => {
      if (started) return;
      started = true;
      reply.hijack();
      raw.writeHead(200, {
        ...(reply.getHeaders() as Record<string, string>),
        'content-type': contentType,
        'cache-control': 'no-cache',
        'x-request-id': draft.requestId,
        'x-accel-buffering': 'no',
      });
    };
    const write = async (text: string) => {
      if (!text) return;
      start();
      if (draft.ttftMs === null) this.recorder.firstToken(draft, call.protocol);
      if (taps) tapWrite(taps, text);
      if (!raw.write(text)) await new Promise<void>((r) => raw.once('drain', r).once('close', r));
    };
    try {
      for await (const chunk of res) {
        await write(translator.push(framer ? framer.push(chunk) : decoder.decode(chunk, { stream: true })));
      }
      await write(translator.push(framer ? framer.end() : decoder.decode()));
      await write(translator.end());
      draft.status = 200;
      if (translator.upstreamError) {
        // The upstream said it failed inside the stream (an error event): the client saw it, the log must too.
        draft.error = `upstream stream error (${translator.upstreamError.status}): ${translator.upstreamError.message}`;
        draft.upstreamBroken = true;
      }
    } catch (e) {
      const kind = classifyUpstreamError(e);
      if (!started && !raw.destroyed) {
        // Nothing reached the client yet: this attempt can fail over like any other.
        draft.upstreamMs += performance.now() - t0;
        return transportFailure(kind === 'timeout_idle' ? 504 : 502, kind, `upstream stream: ${(e as Error).message}`);
      }
      const clientGone = raw.destroyed || raw.writableEnded;
      draft.status = clientGone ? 499 : 200;
      draft.error = clientGone ? 'client closed the connection' : `upstream stream ended early: ${kind}`;
      draft.upstreamBroken = !clientGone;
      if (!clientGone) {
        start();
        raw.write(translator.abort({ status: kind === 'timeout_idle' ? 504 : 502, message: draft.error }));
      }
    } finally {
      draft.upstreamMs += performance.now() - t0;
      this.recorder.observeUpstream(ctx.channel!.id, upstreamProtocol, statusClass(draft.status || 502), t0);
    }
    // Billed for what was delivered: the upstream's own count when it sent one, else the tokenizer's; a family's
    // stream (speech, transcription) adds its units.
    const family = measureFromRequest(call);
    draft.usage = translator.usage ?? family?.usage ?? (family ? { ...NO_USAGE } : countedUsage(call, translator.outputText));
    if (family && draft.status === 200 && !draft.upstreamBroken) draft.units = family.units;
    // Whole and clean only: no upstream error (in-stream or cut), the client still there.
    const whole = taps !== null && draft.status === 200 && !draft.error && !draft.upstreamBroken && !raw.destroyed;
    if (!started) start();
    if (!raw.writableEnded) raw.end();
    if (whole) tapEnd(taps, 200, contentType);
    return undefined;
  }
}
