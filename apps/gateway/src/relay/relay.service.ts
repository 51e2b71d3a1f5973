import { Inject, Injectable, Logger, Optional, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@switchboard/config';
import { DomainError } from '@switchboard/contracts';
import {
  estimatePromptTokens,
  loadTokenizer,
  protocolDescriptor,
  requestedMaxOutputTokens,
  type GatewayError,
  type WireProtocol,
} from '@switchboard/protocols';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AdmissionService, type Admission } from '../admission/admission.service';
import { KeyAuthenticator } from '../auth/key-authenticator';
import { DrainService } from '../edge/drain.service';
import { BodyLog } from '../log-bodies/body-log';
import { activePlugins, beforeRelay, prepareRequest, settlePlugins } from '../plugins/plugin-stage';
import { RoutingTableService } from '../state/routing-table.service';
import { AttemptContext } from './attempt-context';
import { sendRelayError } from './error-response';
import { FailoverLoop } from './failover-loop';
import { accountedRequest, type InboundCall } from './inbound';
import { RelayErrors } from './relay.errors';
import { needsTokenizedEstimate, roughTokenEstimate } from './relay.util';
import { newRequestId } from './request-id';
import { RoutePlanner } from './route-planner';
import { o200kRanksFile } from './tokenizer-ranks';
import { UsageRecorder } from './usage-recorder';

/**
 * The relay pipeline: authenticate (edge cache) → plan the route and price, resolve the plugins that apply → admit
 * (limits, quota) → the plugins before the relay (a cache hit answers here) → attempts with failover (plugins shape
 * each attempt), the answer relayed as JSON or a stream (plugins' taps see it) → usage recorded (published without
 * blocking the response).
 */
@Injectable()
export class RelayService implements OnModuleInit {
  private readonly logger = new Logger(RelayService.name);

  constructor(
    private readonly auth: KeyAuthenticator,
    private readonly table: RoutingTableService,
    private readonly planner: RoutePlanner,
    private readonly admission: AdmissionService,
    private readonly failover: FailoverLoop,
    private readonly recorder: UsageRecorder,
    private readonly drain: DrainService,
    @Optional() @Inject(APP_CONFIG) private readonly config?: Pick<AppConfig, 'LOG_BODY_MAX_BYTES'>,
  ) {}

  /**
   * The relay counts tokens (quota and TPM estimates, usage an upstream did not report, count_tokens): the encoding is
   * loaded before the gateway serves, not by the first request that needs it (0.5–1 s on the event loop then).
   */
  onModuleInit(): void {
    loadTokenizer(o200kRanksFile());
  }

  async relay(call: InboundCall, req: FastifyRequest, reply: FastifyReply): Promise<void> {
    const ctx = new AttemptContext(call, req, reply, newRequestId(), performance.now());
    const { draft, abort } = ctx;
    reply.header('x-request-id', ctx.requestId);
    const leave = this.drain.enter(() => abort.abort(new Error('the gateway is shutting down')));
    try {
      if (this.drain.isDraining) throw new DomainError('shutting_down', 503, 'The gateway is shutting down; retry on another replica.');
      const token = (ctx.token = await this.auth.identify(req));
      // Attributed before the checks: a refused request of a known key (disabled, exhausted, IP…) is logged too.
      draft.tokenId = token.tokenId;
      draft.userId = token.user.id;
      draft.group = token.group.name;
      // Opted in (token or group): its bodies are logged, refusals included.
      if (token.logBodies) ctx.bodyLog = new BodyLog(this.config?.LOG_BODY_MAX_BYTES ?? 64 * 1024);
      this.auth.admit(token, req.ip, { model: call.model });
      if (!call.model) throw RelayErrors.modelRequired();
      await this.table.ensureLoaded().catch(() => {
        throw RelayErrors.routingUnavailable();
      });
      const route = (ctx.route = this.planner.plan(call.model, token.group.name, call));
      ctx.plugins = activePlugins(this.table.pluginsFor({ model: call.model, group: token.group.name, tokenId: token.tokenId }));
      const price = (ctx.price = await this.planner.price(route.model, token));
      const accounting = protocolDescriptor(call.protocol).accounting;
      let admitted: Admission;
      if (accounting) {
        // A family beyond chat reserves what it says its answer can bill: tokens and units (images, audio…).
        const est = accounting.estimate(accountedRequest(call));
        const maxOutput = est.outputTokens ?? requestedMaxOutputTokens(call.protocol, call.body) ?? 0;
        admitted = ctx.admitted = await this.admission.admit(ctx.requestId, token, price, est.promptTokens, maxOutput, est.units);
      } else {
        const promptEstimate = needsTokenizedEstimate(token, price) ? estimatePromptTokens(call.protocol, call.body) : roughTokenEstimate(call.raw);
        admitted = ctx.admitted = await this.admission.admit(ctx.requestId, token, price, promptEstimate, requestedMaxOutputTokens(call.protocol, call.body));
      }
      draft.reservedMicros = admitted.lease.reservedMicros;
      reply.headers(admitted.headers);
      // A plugin may answer the request itself (a cache hit): then no upstream is called.
      if (!ctx.plugins.length || !(await beforeRelay(ctx))) {
        // Opted in (token or group): one more answer tap keeps what the client receives (after beforeRelay sets the taps).
        if (ctx.bodyLog) (ctx.taps ??= []).push(ctx.bodyLog);
        await prepareRequest(ctx);
        await this.failover.run(ctx);
      }
    } catch (err) {
      const e = err instanceof DomainError ? err : new DomainError('internal', 500, 'internal error');
      if (!(err instanceof DomainError)) this.logger.error((err as Error)?.stack ?? String(err));
      draft.error ??= e.message;
      draft.status = e.status;
      if (!reply.sent && !reply.raw.headersSent) {
        const sent = sendRelayError(reply, call.protocol, ctx.requestId, e);
        ctx.bodyLog?.error(sent);
      }
    } finally {
      settlePlugins(ctx);
      if (ctx.bodyLog) draft.bodies = ctx.bodyLog.bodies(call);
      this.recorder.finish(ctx);
      leave();
    }
  }

  /** Renders an error in the inbound protocol's shape (also for the routes' pre-pipeline rejections). */
  sendError(reply: FastifyReply, protocol: WireProtocol, requestId: string, e: DomainError | GatewayError): void {
    sendRelayError(reply, protocol, requestId, e);
  }
}
