import { Injectable } from '@nestjs/common';
import type { AttemptContext } from './attempt-context';
import { NO_USAGE, measureFromRequest } from './family-accounting';
import { transportFailure, type AttemptFailure } from './failover-policy';
import { classifyUpstreamError } from './upstream.client';
import type { UpstreamResponse } from './upstream-response';
import { UsageRecorder } from './usage-recorder';

/** Upstream headers that describe bytes relayed as they came. */
const FORWARDED = ['content-type', 'content-disposition', 'content-language'];

/**
 * A non-JSON upstream answer (speech audio, a transcript as `text`/`srt`/`vtt`) to the client as it arrives, with
 * backpressure and the upstream's content type. Until the first byte is written a broken upstream can still fail
 * over; after, the client's connection is cut (a truncated file must not look complete). Billed from the request.
 */
@Injectable()
export class BytesResponseSink {
  constructor(private readonly recorder: UsageRecorder) {}

  async relay(ctx: AttemptContext, res: UpstreamResponse): Promise<AttemptFailure | undefined> {
    const { call, draft, reply, t0 } = ctx;
    const raw = reply.raw;
    // Billed from the request, so the cost is known before the first byte goes out.
    const measured = measureFromRequest(call);
    let started = false;
    const start = () => {
      started = true;
      reply.hijack();
      draft.usage = measured?.usage ?? { ...NO_USAGE };
      draft.units = measured?.units ?? null;
      const headers: Record<string, string> = {
        ...(reply.getHeaders() as Record<string, string>),
        'x-request-id': draft.requestId,
        'x-switchboard-cost': this.recorder.costHeader(ctx),
      };
      for (const h of FORWARDED) {
        const v = res.header(h);
        if (v !== undefined) headers[h] = v;
      }
      headers['content-type'] ??= 'application/octet-stream';
      raw.writeHead(200, headers);
    };
    try {
      for await (const chunk of res) {
        if (!started) {
          start();
          this.recorder.firstToken(draft, call.protocol);
        }
        if (!raw.write(chunk)) await new Promise<void>((r) => raw.once('drain', r).once('close', r));
        if (raw.destroyed) throw new Error('client closed the connection');
      }
    } catch (e) {
      draft.upstreamMs += performance.now() - t0;
      if (!started) return transportFailure(502, classifyUpstreamError(e), `upstream body: ${(e as Error).message}`);
      const clientGone = raw.destroyed;
      draft.status = clientGone ? 499 : 502;
      draft.error = clientGone ? 'client closed the connection' : `upstream body ended early: ${(e as Error).message}`;
      draft.upstreamBroken = !clientGone;
      // a cut answer is not billed
      draft.usage = { ...NO_USAGE };
      draft.units = null;
      raw.destroy();
      return undefined;
    }
    draft.upstreamMs += performance.now() - t0;
    this.recorder.observeUpstream(ctx.channel!.id, ctx.upstreamProtocol, '2xx', t0);
    draft.status = 200;
    if (!started) start();
    raw.end();
    return undefined;
  }
}
