import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@switchboard/config';
import { statusClass } from '@switchboard/observability';
import { DomainError } from '@switchboard/contracts';
import {
  convertResponse,
  createStreamAggregator,
  DEFAULT_MAX_SSE_EVENT_CHARS,
  encodeResponse,
  extractOutputText,
  extractUsage,
  protocolDescriptor,
  ProtocolError,
  transformResponse,
} from '@switchboard/protocols';
import { providerFor } from '@switchboard/providers';
import { answerTransforms } from '../plugins/plugin-stage';
import type { AttemptContext } from './attempt-context';
import { FailoverPolicy, transportFailure, type AttemptFailure } from './failover-policy';
import { classifyUpstreamError } from './upstream.client';
import type { UpstreamResponse } from './upstream-response';
import { countedUsage, UsageRecorder } from './usage-recorder';
import { measureJson, NO_USAGE } from './family-accounting';
import { tapEnd, tapWrite } from '../plugins/plugin-stage';

/**
 * A non-streamed upstream answer to the client: read whole (bounded by UPSTREAM_MAX_RESPONSE_BYTES), converted to the
 * client's protocol unless it speaks the upstream's (then the bytes go as they came), usage counted.
 */
@Injectable()
export class JsonResponseSink {
  private readonly maxBytes: number;

  constructor(
    private readonly recorder: UsageRecorder,
    @Inject(APP_CONFIG) config: Pick<AppConfig, 'UPSTREAM_MAX_RESPONSE_BYTES'>,
    // classifies an aggregated stream's in-stream error like an error status (its budget is not used here)
    private readonly policy: FailoverPolicy = new FailoverPolicy({ RETRY_BUDGET: 0, BAN_PROBE_INTERVAL_MS: 15_000 }),
  ) {
    this.maxBytes = config.UPSTREAM_MAX_RESPONSE_BYTES;
  }

  /** Undefined when the answer reached the client; a failure (nothing sent) when the body broke or is not JSON. */
  async relay(ctx: AttemptContext, res: UpstreamResponse): Promise<AttemptFailure | undefined> {
    // A stream the gateway asked for (stream-fake) or the only answer the upstream gives (Kiro); a streaming client's
    // call lands here only when answered whole (whisper-1 ignores stream=true), and that answer is JSON.
    if ((ctx.upstreamStream && !ctx.call.stream) || protocolDescriptor(ctx.upstreamProtocol).streamOnly) return this.aggregate(ctx, res);
    const { call, draft, upstreamProtocol, t0 } = ctx;
    let buf: Buffer;
    try {
      buf = await res.bytes(this.maxBytes);
    } catch (e) {
      return transportFailure(502, classifyUpstreamError(e), `upstream body: ${(e as Error).message}`);
    } finally {
      draft.upstreamMs += performance.now() - t0;
    }
    let json: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(buf.toString('utf8'));
      if (!parsed || typeof parsed !== 'object') throw new Error('not an object');
      json = parsed as Record<string, unknown>;
    } catch {
      return transportFailure(502, 'network', 'upstream sent a body that is not JSON');
    }
    this.recorder.observeUpstream(ctx.channel!.id, upstreamProtocol, '2xx', t0);
    let converted: Record<string, unknown> | null;
    const transforms = answerTransforms(ctx);
    try {
      converted =
        call.protocol === upstreamProtocol && !transforms.length ? null : convertResponse(upstreamProtocol, call.protocol, json, ctx.convert!, transforms);
    } catch (e) {
      // An answer that says no in its own way (every image held back by a safety filter): the client's error, not a 500.
      if (e instanceof ProtocolError) throw new DomainError(e.type, e.status, e.message, e.param === undefined ? {} : { param: e.param });
      throw e;
    }
    // A family beyond chat measures its answer in the client's shape (images made, search units…); chat counts tokens.
    const measured = measureJson(call, converted ?? json);
    if (measured) {
      draft.usage = measured.usage ?? { ...NO_USAGE };
      draft.units = measured.units;
    } else {
      draft.usage = extractUsage(upstreamProtocol, json) ?? countedUsage(call, extractOutputText(upstreamProtocol, json));
    }
    draft.status = 200;
    const body = converted ? JSON.stringify(converted) : buf;
    ctx.reply.status(200).header('content-type', 'application/json').header('x-switchboard-cost', this.recorder.costHeader(ctx)).send(body);
    if (ctx.taps) answered(ctx.taps, body);
    return undefined;
  }

  /**
   * An upstream that always streams (Kiro), or that stream-fake asked for a stream, for a client that asked for one
   * answer: the stream is read to its end
   * (bounded by UPSTREAM_MAX_RESPONSE_BYTES), aggregated into one response and encoded in the client's protocol.
   * Nothing reaches the client before the end, so an in-stream error fails over like an error status would.
   */
  private async aggregate(ctx: AttemptContext, res: UpstreamResponse): Promise<AttemptFailure | undefined> {
    const { call, draft, upstreamProtocol, t0 } = ctx;
    const aggregator = createStreamAggregator(upstreamProtocol, ctx.convert!, Math.min(DEFAULT_MAX_SSE_EVENT_CHARS, this.maxBytes));
    const framer = providerFor(ctx.channel!.type)?.streamFramer?.(upstreamProtocol);
    const decoder = new TextDecoder('utf-8');
    let size = 0;
    try {
      for await (const chunk of res) {
        size += chunk.length;
        if (size > this.maxBytes) throw new Error(`the upstream response is larger than ${this.maxBytes} bytes`);
        aggregator.push(framer ? framer.push(chunk) : decoder.decode(chunk, { stream: true }));
      }
      aggregator.push(framer ? framer.end() : decoder.decode());
    } catch (e) {
      return transportFailure(502, classifyUpstreamError(e), `upstream stream: ${(e as Error).message}`);
    } finally {
      draft.upstreamMs += performance.now() - t0;
    }
    const ir = aggregator.end();
    if (!ir) {
      const err = aggregator.error!;
      this.recorder.observeUpstream(ctx.channel!.id, upstreamProtocol, statusClass(err.status), t0);
      return this.policy.httpFailure(err.status, {
        status: err.status,
        message: err.message,
        ...(err.type ? { type: err.type } : {}),
        ...(err.code ? { code: err.code } : {}),
      });
    }
    this.recorder.observeUpstream(ctx.channel!.id, upstreamProtocol, '2xx', t0);
    draft.usage = aggregator.usage ?? countedUsage(call, aggregator.outputText);
    draft.status = 200;
    const body = JSON.stringify(encodeResponse(call.protocol, transformResponse(answerTransforms(ctx), ir), ctx.convert!));
    ctx.reply.status(200).header('content-type', 'application/json').header('x-switchboard-cost', this.recorder.costHeader(ctx)).send(body);
    if (ctx.taps) answered(ctx.taps, body);
    return undefined;
  }
}

/** A JSON answer went out whole: the plugins' taps see its body, status and type. */
function answered(taps: NonNullable<AttemptContext['taps']>, body: string | Buffer): void {
  tapWrite(taps, body);
  tapEnd(taps, 200, 'application/json');
}
