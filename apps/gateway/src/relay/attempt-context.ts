import type { PriceEntry, VerifiedToken } from '@switchboard/contracts';
import type { ConvertContext, WireProtocol } from '@switchboard/protocols';
import type { UpstreamBody } from '@switchboard/providers';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Admission } from '../admission/admission.service';
import type { BodyLog } from '../log-bodies/body-log';
import { NO_PLUGINS, type ActivePlugin, type AnswerTap } from '../plugins/relay-plugin';
import type { RuntimeChannel } from '../state/routing-table.service';
import type { InboundCall } from './inbound';
import type { Route } from './route-planner';
import { RelayAbort } from './upstream.client';
import { UsageDraft } from './usage-record.builder';

/**
 * One relayed request as the pipeline's steps share it: what the client sent and where the answer goes, what the
 * steps before decided (token, route, price, admission) and the attempt under way (channel, upstream protocol,
 * prepared body). One object per request; the attempt's fields are overwritten by the next attempt.
 */
export class AttemptContext {
  readonly draft: UsageDraft;
  /** Cancels the upstream call: the client left or the gateway is shutting down. */
  readonly abort = new RelayAbort();
  token: VerifiedToken | null = null;
  admitted: Admission | null = null;
  route: Route | null = null;
  price: PriceEntry | null = null;
  /** the plugins acting on this request, in the relay's order (resolved once after auth; usually none) */
  plugins: readonly ActivePlugin[] = NO_PLUGINS;
  /** the plugins' observers of the answer the client receives (the sinks feed them); null: none, the usual case */
  taps: AnswerTap[] | null = null;
  /** the request's bodies being logged (its token or group opts in: log-bodies); null: not logged, the usual case */
  bodyLog: BodyLog | null = null;
  /** retries left (RETRY_BUDGET); below zero once spent, which ends every model's loop */
  budget = 0;

  // ---------------------------------------------------------------- the attempt under way
  /** the model being tried: the route's, or one of its alias' fallbacks */
  model = '';
  channel: RuntimeChannel | null = null;
  upstreamProtocol: WireProtocol = 'openai-chat';
  upstreamModel = '';
  /** whether this attempt asks the upstream for a stream (the client's choice, or a plugin's: stream-fake) */
  upstreamStream = false;
  convert: ConvertContext | null = null;
  url = '';
  headers: Record<string, string> | null = null;
  body: UpstreamBody = '';
  /** when this attempt's upstream call started (performance.now()) */
  t0 = 0;

  constructor(
    /** what the client sent; a plugin's `prepareRequest` may replace it with a rewritten body (web-search) */
    public call: InboundCall,
    readonly req: FastifyRequest,
    readonly reply: FastifyReply,
    readonly requestId: string,
    readonly startedAt: number,
  ) {
    this.draft = new UsageDraft(requestId, call.protocol, call.model, call.stream, startedAt);
    this.draft.endpoint = call.endpoint;
  }
}
