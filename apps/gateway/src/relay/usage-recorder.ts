import { Inject, Injectable, Logger } from '@nestjs/common';
import type { PriceEntry, VerifiedToken } from '@switchboard/contracts';
import { USAGE_QUEUE, type UsageQueue } from '@switchboard/messaging';
import { EndpointSeries, LogThrottle, SeriesCache, processMetrics, statusClass } from '@switchboard/observability';
import { computeCostMicros } from '@switchboard/pricing';
import { countTextTokens, estimatePromptTokens, type Usage, type WireProtocol } from '@switchboard/protocols';
import { AdmissionService } from '../admission/admission.service';
import { RoutingTableService } from '../state/routing-table.service';
import type { AttemptContext } from './attempt-context';
import type { InboundCall } from './inbound';
import { errorClass } from './relay.util';
import type { UsageDraft } from './usage-record.builder';

/** `x-switchboard-cost`: micro-dollars as USD with six decimals. */
export const costHeaderValue = (micros: number): string => (micros / 1e6).toFixed(6);

/** The usage of an answer the upstream did not count: the prompt and the delivered text, by the tokenizer. */
export function countedUsage(call: InboundCall, outputText: string): Usage {
  return {
    promptTokens: estimatePromptTokens(call.protocol, call.body),
    completionTokens: outputText ? countTextTokens(outputText) : 0,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    reasoningTokens: 0,
  };
}

/**
 * What a request leaves behind: its cost, the admission lease settled (or released), the relay's metrics and the
 * usage record, published without blocking the response.
 */
@Injectable()
export class UsageRecorder {
  // Log lines keep the relay's name: operators grep for it.
  private readonly logger = new Logger('RelayService');
  /** While the counter store is away every request's settle fails (the store retries them): one line per interval. */
  private readonly settleFailures = new LogThrottle((line) => this.logger.error(line));
  private readonly metrics = processMetrics();
  /** requests and units per endpoint family */
  private readonly endpoints = new EndpointSeries(this.metrics);
  // The per-request observations, by label set resolved once (see SeriesCache): same metrics, same labels. Keys are
  // the label values joined by NUL (no name holds one).
  private readonly requestsSeries: SeriesCache;
  private readonly durationSeries: SeriesCache;
  private readonly overheadSeries: SeriesCache;
  private readonly upstreamSeries: SeriesCache;
  private readonly ttftSeries: SeriesCache;
  private readonly tokensSeries: SeriesCache;
  private readonly costSeries: SeriesCache;

  constructor(
    private readonly admission: AdmissionService,
    private readonly table: RoutingTableService,
    @Inject(USAGE_QUEUE) private readonly usageQueue: UsageQueue,
  ) {
    const m = this.metrics;
    this.requestsSeries = new SeriesCache(m.requests);
    this.durationSeries = new SeriesCache(m.requestDuration);
    this.overheadSeries = new SeriesCache(m.overhead);
    this.upstreamSeries = new SeriesCache(m.upstreamDuration);
    this.ttftSeries = new SeriesCache(m.ttft);
    this.tokensSeries = new SeriesCache(m.tokens);
    this.costSeries = new SeriesCache(m.cost);
    m.trackUsageBuffered(usageQueue);
  }

  /** switchboard_upstream_duration_seconds of one attempt that started at t0. */
  observeUpstream(channelId: number, upstreamProtocol: WireProtocol, status: string, t0: number): void {
    const s = this.upstreamSeries.series(`${channelId}\0${upstreamProtocol}\0${status}`, () => ({
      channel: String(channelId),
      upstream_protocol: upstreamProtocol,
      status_class: status,
    }));
    s.observe((performance.now() - t0) / 1000);
  }

  /** The first streamed bytes reached the client: the draft's ttft, once, and its histogram. */
  firstToken(draft: UsageDraft, protocol: WireProtocol): void {
    if (draft.ttftMs !== null) return;
    draft.ttftMs = Math.round(performance.now() - draft.startedAt);
    const model = this.table.modelLabel(draft.model);
    this.ttftSeries.series(`${protocol}\0${model}`, () => ({ protocol, model })).observe(draft.ttftMs / 1000);
  }

  retried(protocol: WireProtocol, reason: string): void {
    this.metrics.retries.inc({ protocol, reason });
  }

  fellBack(alias: string | null): void {
    this.metrics.fallbacks.inc({ alias: alias ?? 'none' });
  }

  /** The delivered answer's cost (0 when the model is free). */
  bill(draft: UsageDraft, price: PriceEntry | null, token: VerifiedToken): void {
    draft.costMicros = price ? computeCostMicros(draft.usage, price, token.group.priceRatio, draft.units) : 0;
  }

  /**
   * A whole answer's cost, for its `x-switchboard-cost` header (SPEC §8: USD): billed before the answer is sent, as
   * the failover loop would after it.
   */
  costHeader(ctx: Pick<AttemptContext, 'draft' | 'price' | 'token'>): string {
    if (ctx.token) this.bill(ctx.draft, ctx.price, ctx.token);
    return costHeaderValue(ctx.draft.costMicros);
  }

  /** The request is over (answered or refused): settle, observe, publish. Never throws. */
  finish(ctx: Pick<AttemptContext, 'draft' | 'token' | 'admitted'> & { call: Pick<InboundCall, 'protocol' | 'stream'> }): void {
    const { draft, call, token, admitted } = ctx;
    if (admitted) {
      const u = draft.usage;
      const used = u.promptTokens + u.completionTokens;
      const done =
        used > 0 || draft.costMicros > 0
          ? this.admission.settle(admitted.lease, used, draft.costMicros, admitted.budgets)
          : this.admission.release(admitted.lease);
      done.catch((e: unknown) => this.settleFailures.log(`settling ${draft.requestId} failed: ${(e as Error).message}`));
    }
    const latency = performance.now() - draft.startedAt;
    const status = draft.status || 500;
    const protocol = call.protocol;
    const sc = statusClass(status);
    const model = draft.channelId ? this.table.modelLabel(draft.model) : 'unknown';
    const channel = String(draft.channelId ?? 'none');
    const group = draft.group ?? 'none';
    this.requestsSeries.series(`${protocol}\0${model}\0${channel}\0${group}\0${sc}`, () => ({ protocol, model, channel, group, status_class: sc })).inc(1);
    this.endpoints.observe(draft.endpoint, sc, draft.units);
    const stream = call.stream ? 'true' : 'false';
    this.durationSeries.series(`${protocol}\0${stream}\0${sc}`, () => ({ protocol, stream, status_class: sc })).observe(latency / 1000);
    this.overheadSeries.series(protocol, () => ({ protocol })).observe(Math.max(0, latency - draft.upstreamMs) / 1000);
    if (status >= 400) this.metrics.errors.inc({ protocol, class: errorClass(status) });
    if (!token) return;
    const u = draft.usage;
    if (draft.channelId) {
      const m = model;
      this.tokensSeries.series(`${m}\0prompt`, () => ({ model: m, type: 'prompt' })).inc(u.promptTokens);
      this.tokensSeries.series(`${m}\0completion`, () => ({ model: m, type: 'completion' })).inc(u.completionTokens);
      this.costSeries.series(`${m}\0${group}`, () => ({ model: m, group })).inc(draft.costMicros / 1e6);
    }
    try {
      // switchboard_usage_records_buffered reads the queue at each scrape (trackUsageBuffered above).
      this.usageQueue.publish(draft.build(latency));
    } catch (e) {
      this.logger.error(`usage record ${draft.requestId} not queued: ${(e as Error).message}`);
    }
  }
}
