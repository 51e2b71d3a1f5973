import { Injectable } from '@nestjs/common';
import { statusClass } from '@switchboard/observability';
import { parseUpstreamError } from '@switchboard/protocols';
import { mapStatus, providerFor } from '@switchboard/providers';
import type { RuntimeChannel, RuntimeKey } from '../state/routing-table.service';
import type { AttemptContext } from './attempt-context';
import { FailoverPolicy, transportFailure, type AttemptFailure } from './failover-policy';
import { BytesResponseSink } from './bytes-response.sink';
import { answeredWhole, answersBytes } from './family-accounting';
import { JsonResponseSink } from './json-response.sink';
import { StreamResponseSink } from './stream-response.sink';
import { classifyUpstreamError, UpstreamClient } from './upstream.client';
import { prepareUpstreamCall } from './upstream-call';
import { UpstreamCredentials } from './upstream-credentials';
import type { UpstreamResponse } from './upstream-response';
import { UsageRecorder } from './usage-recorder';

const MAX_ERROR_BODY = 64 * 1024;

/** One upstream try on one channel key: send, classify an error answer, or hand the answer to its sink. */
@Injectable()
export class UpstreamAttempt {
  constructor(
    private readonly upstream: UpstreamClient,
    private readonly policy: FailoverPolicy,
    private readonly recorder: UsageRecorder,
    private readonly json: JsonResponseSink,
    private readonly stream: StreamResponseSink,
    private readonly bytes: BytesResponseSink,
    private readonly credentials: UpstreamCredentials = new UpstreamCredentials(),
  ) {}

  /** Undefined when the response reached the client, else why it failed. */
  async run(ctx: AttemptContext, channel: RuntimeChannel, key: RuntimeKey): Promise<AttemptFailure | undefined> {
    ctx.channel = channel;
    const unfit = prepareUpstreamCall(ctx, channel, key, this.policy) ?? (await this.credentials.prepare(ctx, channel, key, this.policy));
    if (unfit) return unfit;
    const { draft, upstreamProtocol } = ctx;
    draft.channelId = channel.id;
    draft.upstreamModel = ctx.upstreamModel;
    draft.upstreamProtocol = upstreamProtocol;
    const timeouts = this.upstream.timeoutsFor(channel.timeouts);
    let res: UpstreamResponse;
    for (let renewed = false; ; renewed = true) {
      const t0 = (ctx.t0 = performance.now());
      try {
        res = await this.upstream.send(ctx.url, ctx.headers!, ctx.body, timeouts, ctx.abort);
      } catch (e) {
        draft.upstreamMs += performance.now() - t0;
        const kind = classifyUpstreamError(e);
        this.recorder.observeUpstream(channel.id, upstreamProtocol, kind, t0);
        return transportFailure(kind === 'timeout_first_byte' ? 504 : 502, kind, `upstream ${kind}: ${(e as Error).message}`);
      }
      let mapped = mapStatus(channel, res.statusCode);
      if (mapped < 400 && res.statusCode < 400) break;
      const text = await res.text(MAX_ERROR_BODY).catch(() => '');
      draft.upstreamMs += performance.now() - t0;
      this.recorder.observeUpstream(channel.id, upstreamProtocol, statusClass(mapped), t0);
      if (this.credentials.stale(channel, res.statusCode)) {
        this.credentials.rejected(channel, key);
        // A minted token refused before its time (revoked, rotated elsewhere): one more try on the same key with a
        // fresh one, before the key is blamed and banned.
        if (!renewed && !ctx.abort.aborted) {
          const unfitAgain = await this.credentials.prepare(ctx, channel, key, this.policy);
          if (unfitAgain) return unfitAgain;
          continue;
        }
      } else if (res.statusCode === 401) this.credentials.rejected(channel, key);
      // A provider may read its errors its own way (Bedrock: the error type is a header); the admin's mapping still wins.
      const own = providerFor(channel.type)?.upstreamError?.(res.statusCode, (name) => res.header(name), text);
      if (own && mapped === res.statusCode) mapped = own.status;
      const error = own ? { ...own, status: mapped } : parseUpstreamError(upstreamProtocol, mapped, text);
      const retryAfter = Number(res.header('retry-after'));
      if (Number.isFinite(retryAfter)) error.retryAfterSeconds = retryAfter;
      return this.policy.httpFailure(mapped, error);
    }
    if (ctx.call.stream && !answeredWhole(ctx.call, res.header('content-type'))) return this.stream.relay(ctx, res);
    return answersBytes(ctx.call) ? this.bytes.relay(ctx, res) : this.json.relay(ctx, res);
  }
}
