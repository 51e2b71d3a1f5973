import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@switchboard/config';
import { DomainError, type PriceEntry, type VerifiedToken } from '@switchboard/contracts';
import { USAGE_QUEUE, type UsageQueue } from '@switchboard/messaging';
import { LogThrottle, SeriesCache, processMetrics, statusClass } from '@switchboard/observability';
import { computeCostMicros } from '@switchboard/pricing';
import {
  convertResponse,
  countTextTokens,
  loadTokenizer,
  createStreamTranslator,
  DEFAULT_MAX_SSE_EVENT_CHARS,
  estimatePromptTokens,
  extractOutputText,
  extractUsage,
  parseUpstreamError,
  protocolDescriptor,
  requestedMaxOutputTokens,
  renderError,
  type ConvertContext,
  type GatewayError,
  type Usage,
  type WireProtocol,
} from '@switchboard/protocols';
import { buildUpstreamCall, isUpstreamCallFailure, mapStatus } from '@switchboard/providers';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AdmissionService, type Admission } from '../admission/admission.service';
import { KeyAuthenticator } from '../auth/key-authenticator';
import { DrainService } from '../edge/drain.service';
import { BanListService } from '../state/ban-list.service';
import { PriceCache } from '../state/price-cache.service';
import { RoutingTableService, type RuntimeChannel, type RuntimeKey } from '../state/routing-table.service';
import { pickAliasTarget, pickChannel, pickKey } from './channel-selector';
import type { InboundCall } from './inbound';
import { RelayErrors } from './relay.errors';
import { classifyUpstreamError, RelayAbort, UpstreamClient, type UpstreamFailureKind } from './upstream.client';
import { errorClass, needsTokenizedEstimate, roughTokenEstimate } from './relay.util';
import { DEFAULT_RATE_LIMIT_RETRY_S, FailoverTally, isKeyFailure } from './upstream-failure.util';
import { newRequestId } from './request-id';
import type { UpstreamResponse } from './upstream-response';
import { UsageDraft } from './usage-record.builder';

const MAX_ERROR_BODY = 64 * 1024;

/** How one upstream attempt ended, when it did not deliver to the client. */
interface AttemptFailure {
  status: number;
  kind: 'http' | UpstreamFailureKind;
  error: GatewayError;
  /** 400/413/422: the request itself is bad; the client gets it as is, nothing else is tried */
  final: boolean;
  /** 401/402/403/404 or an exhausted account: this channel cannot serve; try the next without spending retry budget */
  free: boolean;
  /** the upstream refused the channel key itself (isKeyFailure): the key is banned, another key may serve */
  keyFailure?: boolean;
}

interface Route {
  /** the model after alias resolution, before the channel's mapping */
  model: string;
  candidates: RuntimeChannel[];
  /** the alias' fallback models, tried in order when every channel of `model` failed */
  fallbacks: string[];
  alias: string | null;
}

/**
 * The relay pipeline: authenticate (edge cache) → route (local table) → price → attempts with failover →
 * convert and relay (streams chunk by chunk) → usage record (published without blocking the response).
 */
@Injectable()
export class RelayService implements OnModuleInit {
  private readonly logger = new Logger(RelayService.name);
  /** While the counter store is away every request's settle fails (the store retries them): one line per interval. */
  private readonly settleFailures = new LogThrottle((line) => this.logger.error(line));
  private readonly metrics = processMetrics();
  // The per-request observations, by label set resolved once (see SeriesCache): same metrics, same labels. Keys are
  // the label values joined by NUL (no name holds one).
  private readonly requestsSeries = new SeriesCache(this.metrics.requests);
  private readonly durationSeries = new SeriesCache(this.metrics.requestDuration);
  private readonly overheadSeries = new SeriesCache(this.metrics.overhead);
  private readonly upstreamSeries = new SeriesCache(this.metrics.upstreamDuration);
  private readonly ttftSeries = new SeriesCache(this.metrics.ttft);
  private readonly tokensSeries = new SeriesCache(this.metrics.tokens);
  private readonly costSeries = new SeriesCache(this.metrics.cost);
  /** The longest unfinished upstream SSE event a stream holds back (a line without end would grow forever). */
  private readonly maxSseEventChars: number;

  constructor(
    private readonly auth: KeyAuthenticator,
    private readonly table: RoutingTableService,
    private readonly prices: PriceCache,
    private readonly upstream: UpstreamClient,
    private readonly admission: AdmissionService,
    private readonly bans: BanListService,
    private readonly drain: DrainService,
    @Inject(USAGE_QUEUE) private readonly usageQueue: UsageQueue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.metrics.trackUsageBuffered(usageQueue);
    this.maxSseEventChars = Math.min(DEFAULT_MAX_SSE_EVENT_CHARS, config.UPSTREAM_MAX_RESPONSE_BYTES);
  }

  /**
   * The relay counts tokens (quota and TPM estimates, usage an upstream did not report, count_tokens): the encoding is
   * loaded before the gateway serves, not by the first request that needs it (0.5–0.8 s on the event loop then).
   */
  onModuleInit(): void {
    loadTokenizer();
  }

  async relay(call: InboundCall, req: FastifyRequest, reply: FastifyReply): Promise<void> {
    const startedAt = performance.now();
    const requestId = newRequestId();
    const draft = new UsageDraft(requestId, call.protocol, call.model, call.stream, startedAt);
    reply.header('x-request-id', requestId);
    let token: VerifiedToken | null = null;
    let admitted: Admission | null = null;
    const abort = new RelayAbort();
    const leave = this.drain.enter(() => abort.abort(new Error('the gateway is shutting down')));
    try {
      if (this.drain.isDraining) throw new DomainError('shutting_down', 503, 'The gateway is shutting down; retry on another replica.');
      token = await this.auth.identify(req);
      // Attributed before the checks: a refused request of a known key (disabled, exhausted, IP…) is logged too.
      draft.tokenId = token.tokenId;
      draft.userId = token.user.id;
      draft.group = token.group.name;
      this.auth.admit(token, req.ip, { model: call.model });
      if (!call.model) throw RelayErrors.modelRequired();
      await this.table.ensureLoaded().catch(() => {
        throw RelayErrors.routingUnavailable();
      });
      const route = this.route(call.model, token.group.name);
      const price = await this.priceFor(route.model, token);
      const promptEstimate = needsTokenizedEstimate(token, price) ? estimatePromptTokens(call.protocol, call.body) : roughTokenEstimate(call.raw);
      admitted = await this.admission.admit(requestId, token, price, promptEstimate, requestedMaxOutputTokens(call.protocol, call.body));
      draft.reservedMicros = admitted.lease.reservedMicros;
      reply.headers(admitted.headers);
      await this.attempts(call, route, token, price, draft, req, reply, abort);
    } catch (err) {
      const e = err instanceof DomainError ? err : new DomainError('internal', 500, 'internal error');
      if (!(err instanceof DomainError)) this.logger.error((err as Error)?.stack ?? String(err));
      draft.error ??= e.message;
      draft.status = e.status;
      if (!reply.sent && !reply.raw.headersSent) this.sendError(reply, call.protocol, requestId, e);
    } finally {
      this.finish(draft, call, token, admitted);
      leave();
    }
  }

  // ---------------------------------------------------------------- admission
  private route(requested: string, group: string): Route {
    const alias = this.table.alias(requested);
    const model = alias ? (pickAliasTarget(alias.targets) ?? requested) : requested;
    const candidates = this.table.channelsFor(model, group);
    const fallbacks = alias?.fallbacks ?? [];
    if (!candidates.length && !fallbacks.some((f) => this.table.channelsFor(f, group).length)) throw RelayErrors.modelNotFound(requested);
    return { model, candidates, fallbacks, alias: alias ? requested : null };
  }

  private async priceFor(model: string, token: VerifiedToken): Promise<PriceEntry | null> {
    const price = await this.prices.price(model).catch(() => undefined);
    if (price) return price;
    if (this.config.UNPRICED_MODEL_POLICY === 'free') return null;
    const unlimited = token.quotaMicros === null && token.user.balanceMicros === null;
    if (unlimited) return null;
    throw RelayErrors.notPriced(model);
  }

  // ---------------------------------------------------------------- attempts
  private async attempts(
    call: InboundCall,
    route: Route,
    token: VerifiedToken,
    price: PriceEntry | null,
    draft: UsageDraft,
    req: FastifyRequest,
    reply: FastifyReply,
    abort: RelayAbort,
  ): Promise<void> {
    const excluded = new Set<number>();
    const excludedKeys = new Set<string>();
    let budget = this.config.RETRY_BUDGET;
    let last: AttemptFailure | undefined;
    let sawCandidate = false;
    let tally: FailoverTally | undefined;
    const onClose = () => {
      if (!reply.raw.writableFinished) abort.abort(new Error('client closed the connection'));
    };
    reply.raw.on('close', onClose);
    const models = route.fallbacks.length ? [route.model, ...route.fallbacks] : [route.model];
    try {
      for (let m = 0; m < models.length; m++) {
        const model = models[m];
        if (m > 0) this.metrics.fallbacks.inc({ alias: route.alias ?? 'none' });
        let candidates = m === 0 ? route.candidates : this.table.channelsFor(model, token.group.name);
        const modelRoute: Route = { ...route, model, candidates };
        excluded.clear();
        for (let widened = false; ;) {
          const usable = candidates.filter((c) => !this.bans.isBanned(c.id, model));
          if (usable.length) sawCandidate = true;
          const best = Math.min(...usable.map((c) => this.bans.latencyOf(c.id) ?? Infinity));
          const channel = pickChannel(usable, excluded, (id) => this.bans.health(id, Number.isFinite(best) ? best : 0));
          if (!channel) {
            // Optional per token: when its group has nothing left, any group's channels may serve.
            if (token.crossGroupRetry && !widened) {
              widened = true;
              candidates = this.table.channelsForAnyGroup(model);
              continue;
            }
            break;
          }
          for (const k of channel.keys) if (this.bans.isKeyBanned(channel.id, k.index)) excludedKeys.add(`${channel.id}:${k.index}`);
          const key = pickKey(channel, excludedKeys);
          if (!key) {
            excluded.add(channel.id);
            continue;
          }
          draft.attempts++;
          const t0 = performance.now();
          const failure = await this.attempt(call, modelRoute, channel, key, draft, req, reply, abort);
          this.recordOutcome(channel, model, key, failure, performance.now() - t0, draft);
          if (!failure) {
            this.bill(draft, price, token);
            return;
          }
          last = failure;
          (tally ??= new FailoverTally()).attempt(failure.status, failure.error, failure.free);
          if (failure.final) {
            draft.status = failure.status;
            draft.error = failure.error.message;
            this.sendError(reply, call.protocol, draft.requestId, failure.error);
            return;
          }
          if (abort.aborted) throw new DomainError('client_closed', 499, 'client closed the connection');
          // The upstream refused this key itself: another key of a multi-key channel may still serve.
          if (failure.keyFailure && channel.keys.length > 1) excludedKeys.add(`${channel.id}:${key.index}`);
          else excluded.add(channel.id);
          if (!failure.free) {
            if (budget-- <= 0) break;
            this.metrics.retries.inc({ protocol: call.protocol, reason: failure.kind === 'http' ? statusClass(failure.status) : failure.kind });
          }
        }
        if (budget < 0) break;
      }
    } finally {
      reply.raw.off('close', onClose);
    }
    if (last?.kind === 'timeout_first_byte') throw RelayErrors.timeout(call.model);
    tally ??= new FailoverTally();
    const now = Date.now();
    for (const model of models) {
      for (const c of this.table.channelsFor(model, token.group.name)) {
        const ban = this.bans.banOf(c.id, model, now);
        if (ban) tally.banned(ban, now);
      }
    }
    const rateLimited = tally.rateLimitError(call.model);
    if (rateLimited) throw rateLimited;
    if (last?.kind === 'too_large') throw RelayErrors.tooLarge(call.model, last.error.message);
    if (!sawCandidate) throw RelayErrors.noChannel(call.model, 'every channel is banned after recent failures');
    throw RelayErrors.noChannel(call.model, last?.error.message);
  }

  /**
   * Feeds the error-rate windows and sets the bans the relay itself decides: a key the upstream refused (isKeyFailure,
   * lifted by a successful probe) and a back-off after 429/503 (honouring Retry-After, simply expires). A channel with
   * autoBan off is counted but never banned: it is only excluded within the request that failed.
   */
  private recordOutcome(channel: RuntimeChannel, model: string, key: RuntimeKey, failure: AttemptFailure | undefined, ms: number, draft: UsageDraft): void {
    // A request the upstream rejected as malformed says nothing about the channel's health.
    if (failure?.final) return;
    const multiKey = channel.keys.length > 1;
    const ok = !failure && !draft.upstreamBroken;
    this.bans.record({ channelId: channel.id, model, keyIndex: key.index, multiKey, ok, mayBan: channel.autoBan }, ok ? ms : null);
    if (!failure || failure.kind !== 'http' || !channel.autoBan) return;
    const now = Date.now();
    if (failure.keyFailure) {
      this.bans.ban({
        channelId: channel.id,
        keyIndex: key.index,
        reason: 'auth',
        until: now + 24 * 3600_000,
        nextProbeAt: now + this.config.BAN_PROBE_INTERVAL_MS,
        detail: `upstream answered ${failure.status}: ${failure.error.message.slice(0, 200)}`,
      });
    } else if (failure.status === 429 || failure.status === 503) {
      const seconds = Math.min(60, Math.max(1, failure.error.retryAfterSeconds ?? DEFAULT_RATE_LIMIT_RETRY_S));
      this.bans.ban({
        channelId: channel.id,
        model,
        reason: 'backoff',
        status: failure.status,
        until: now + seconds * 1000,
        nextProbeAt: now + seconds * 1000,
      });
    }
  }

  /** One upstream try. Returns undefined when the response reached the client, else why it failed. */
  private async attempt(
    call: InboundCall,
    route: Route,
    channel: RuntimeChannel,
    key: RuntimeKey,
    draft: UsageDraft,
    req: FastifyRequest,
    reply: FastifyReply,
    signal: RelayAbort,
  ): Promise<AttemptFailure | undefined> {
    const built = buildUpstreamCall(channel, key.key, call, route.model, draft.requestId, req.headers);
    if (isUpstreamCallFailure(built)) {
      if (built.failure === 'unknown_type') return this.localFailure(503, built.message);
      if (built.failure === 'unsupported') return { ...this.localFailure(400, built.message), final: false, free: true };
      const { status, message, type, param } = built;
      return { status, kind: 'http', error: { status, message, type, param }, final: true, free: false };
    }
    const { upstreamModel, upstreamProtocol, ctx, headers, body } = built;
    draft.channelId = channel.id;
    draft.upstreamModel = upstreamModel;
    draft.upstreamProtocol = upstreamProtocol;
    const timeouts = this.upstream.timeoutsFor(channel.timeouts);
    const t0 = performance.now();
    let res: UpstreamResponse;
    try {
      res = await this.upstream.send(built.url, headers, body, timeouts, signal);
    } catch (e) {
      draft.upstreamMs += performance.now() - t0;
      const kind = classifyUpstreamError(e);
      this.observeUpstream(channel.id, upstreamProtocol, kind, t0);
      return {
        status: kind === 'timeout_first_byte' ? 504 : 502,
        kind,
        error: { status: 502, message: `upstream ${kind}: ${(e as Error).message}` },
        final: false,
        free: false,
      };
    }
    const mapped = mapStatus(channel, res.statusCode);
    if (mapped >= 400 || res.statusCode >= 400) {
      const text = await res.text(MAX_ERROR_BODY).catch(() => '');
      draft.upstreamMs += performance.now() - t0;
      this.observeUpstream(channel.id, upstreamProtocol, statusClass(mapped), t0);
      const error = parseUpstreamError(upstreamProtocol, mapped, text);
      const retryAfter = Number(res.header('retry-after'));
      if (Number.isFinite(retryAfter)) error.retryAfterSeconds = retryAfter;
      const keyFailure = isKeyFailure(error.status === 401 ? 401 : mapped, error);
      return {
        status: mapped,
        kind: 'http',
        error: { ...error, status: mapped },
        // A Gemini key the upstream says is not valid comes as a 400: the gateway's problem, not the client's request.
        final: !keyFailure && (mapped === 400 || mapped === 413 || mapped === 422),
        free: keyFailure || mapped === 401 || mapped === 402 || mapped === 403 || mapped === 404,
        keyFailure,
      };
    }
    if (call.stream) return this.relayStream(call, res, upstreamProtocol, ctx, draft, reply, t0, channel);
    return this.relayJson(call, res, upstreamProtocol, ctx, draft, reply, t0, channel);
  }

  private localFailure(status: number, message: string): AttemptFailure {
    return { status, kind: 'http', error: { status, message }, final: false, free: false };
  }

  private async relayJson(
    call: InboundCall,
    res: UpstreamResponse,
    upstreamProtocol: WireProtocol,
    ctx: ConvertContext,
    draft: UsageDraft,
    reply: FastifyReply,
    t0: number,
    channel: RuntimeChannel,
  ): Promise<AttemptFailure | undefined> {
    let buf: Buffer;
    try {
      buf = await res.bytes(this.config.UPSTREAM_MAX_RESPONSE_BYTES);
    } catch (e) {
      const kind = classifyUpstreamError(e);
      return { status: 502, kind, error: { status: 502, message: `upstream body: ${(e as Error).message}` }, final: false, free: false };
    } finally {
      draft.upstreamMs += performance.now() - t0;
    }
    let json: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(buf.toString('utf8'));
      if (!parsed || typeof parsed !== 'object') throw new Error('not an object');
      json = parsed as Record<string, unknown>;
    } catch {
      return { status: 502, kind: 'network', error: { status: 502, message: 'upstream sent a body that is not JSON' }, final: false, free: false };
    }
    this.observeUpstream(channel.id, upstreamProtocol, '2xx', t0);
    draft.usage = extractUsage(upstreamProtocol, json) ?? this.countUsage(call, extractOutputText(upstreamProtocol, json));
    draft.status = 200;
    const out = call.protocol === upstreamProtocol ? buf : JSON.stringify(convertResponse(upstreamProtocol, call.protocol, json, ctx));
    reply.status(200).header('content-type', 'application/json').send(out);
    return undefined;
  }

  private async relayStream(
    call: InboundCall,
    res: UpstreamResponse,
    upstreamProtocol: WireProtocol,
    ctx: ConvertContext,
    draft: UsageDraft,
    reply: FastifyReply,
    t0: number,
    channel: RuntimeChannel,
  ): Promise<AttemptFailure | undefined> {
    const translator = createStreamTranslator(upstreamProtocol, call.protocol, ctx, this.maxSseEventChars);
    const decoder = new TextDecoder('utf-8');
    const raw = reply.raw;
    let started = false;
    const start = () => {
      if (started) return;
      started = true;
      reply.hijack();
      raw.writeHead(200, {
        ...(reply.getHeaders() as Record<string, string>),
        'content-type': protocolDescriptor(call.protocol).streamContentType,
        'cache-control': 'no-cache',
        'x-request-id': draft.requestId,
        'x-accel-buffering': 'no',
      });
    };
    const write = async (text: string) => {
      if (!text) return;
      start();
      if (draft.ttftMs === null) {
        draft.ttftMs = Math.round(performance.now() - draft.startedAt);
        const model = this.table.modelLabel(draft.model);
        this.ttftSeries.series(`${call.protocol}\0${model}`, () => ({ protocol: call.protocol, model })).observe(draft.ttftMs / 1000);
      }
      if (!raw.write(text)) await new Promise<void>((r) => raw.once('drain', r).once('close', r));
    };
    try {
      for await (const chunk of res) {
        await write(translator.push(decoder.decode(chunk, { stream: true })));
      }
      await write(translator.push(decoder.decode()));
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
        return {
          status: kind === 'timeout_idle' ? 504 : 502,
          kind,
          error: { status: 502, message: `upstream stream: ${(e as Error).message}` },
          final: false,
          free: false,
        };
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
      this.observeUpstream(channel.id, upstreamProtocol, statusClass(draft.status || 502), t0);
    }
    // Billed for what was delivered: the upstream's own count when it sent one, else the tokenizer's.
    draft.usage = translator.usage ?? this.countUsage(call, translator.outputText);
    if (!started) start();
    if (!raw.writableEnded) raw.end();
    return undefined;
  }

  /** switchboard_upstream_duration_seconds of one attempt that started at t0. */
  private observeUpstream(channelId: number, upstreamProtocol: WireProtocol, status: string, t0: number): void {
    const s = this.upstreamSeries.series(`${channelId}\0${upstreamProtocol}\0${status}`, () => ({
      channel: String(channelId),
      upstream_protocol: upstreamProtocol,
      status_class: status,
    }));
    s.observe((performance.now() - t0) / 1000);
  }

  private countUsage(call: InboundCall, outputText: string): Usage {
    return {
      promptTokens: estimatePromptTokens(call.protocol, call.body),
      completionTokens: outputText ? countTextTokens(outputText) : 0,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
    };
  }

  private bill(draft: UsageDraft, price: PriceEntry | null, token: VerifiedToken): void {
    draft.costMicros = price ? computeCostMicros(draft.usage, price, token.group.priceRatio) : 0;
  }

  // ---------------------------------------------------------------- output
  /** Renders an error in the inbound protocol's shape (also for the controller's pre-pipeline rejections). */
  sendError(reply: FastifyReply, protocol: WireProtocol, requestId: string, e: DomainError | GatewayError): void {
    const ge: GatewayError =
      e instanceof DomainError
        ? {
            status: e.status,
            message: e.message,
            code: e.code,
            param: typeof e.details.param === 'string' ? e.details.param : undefined,
            retryAfterSeconds: typeof e.details.retryAfterSeconds === 'number' ? e.details.retryAfterSeconds : undefined,
          }
        : e;
    const out = renderError(protocol, ge, requestId);
    const headers: Record<string, string> = { ...out.headers, 'x-request-id': requestId, 'content-type': 'application/json' };
    if (ge.retryAfterSeconds !== undefined) headers['retry-after'] = String(ge.retryAfterSeconds);
    // Rate-limit refusals carry their x-ratelimit-* headers (set by admission).
    if (e instanceof DomainError && e.details.headers && typeof e.details.headers === 'object')
      Object.assign(headers, e.details.headers as Record<string, string>);
    reply.status(out.status).headers(headers).send(JSON.stringify(out.body));
  }

  private finish(draft: UsageDraft, call: InboundCall, token: VerifiedToken | null, admitted: Admission | null): void {
    if (admitted) {
      const u = draft.usage;
      const used = u.promptTokens + u.completionTokens;
      const done = used > 0 || draft.costMicros > 0 ? this.admission.settle(admitted.lease, used, draft.costMicros) : this.admission.release(admitted.lease);
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
