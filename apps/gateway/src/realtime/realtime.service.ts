import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { STATUS_CODES } from 'node:http';
import { Inject, Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import proxyAddr from '@fastify/proxy-addr';
import { APP_CONFIG, type AppConfig } from '@switchboard/config';
import { DomainError, type VerifiedToken } from '@switchboard/contracts';
import { LIMIT_STORE, buildQuotaAccounts, type LimitStore } from '@switchboard/limits';
import type { GatewayError, ResponseCreate } from '@switchboard/protocols';
import { WebSocketServer } from 'ws';
import { BudgetGuard } from '../budgets/budget-guard';
import { AdmissionService, type Admission } from '../admission/admission.service';
import { KeyAuthenticator } from '../auth/key-authenticator';
import { DrainService } from '../edge/drain.service';
import { renderRelayError } from '../relay/error-response';
import { RelayErrors } from '../relay/relay.errors';
import { newRequestId } from '../relay/request-id';
import { RoutePlanner } from '../relay/route-planner';
import { UsageDraft } from '../relay/usage-record.builder';
import { UsageRecorder } from '../relay/usage-recorder';
import { RoutingTableService } from '../state/routing-table.service';
import { readHandshake, REALTIME_PROTOCOL, type RealtimeHandshake } from './realtime-handshake';
import { RealtimeMeter } from './realtime-meter';
import { RealtimeSession, type SessionEnd } from './realtime-session';
import { MAX_FRAME_BYTES, RealtimeConnector } from './realtime-upstream.connector';

/** A session holds its concurrency slot this long at most if its gateway dies without settling (OpenAI caps a session at 60 min). */
export const SESSION_LEASE_TTL_MS = 2 * 3_600_000;
const PROTOCOL = 'openai-realtime' as const;
const REQUEST_ID = Symbol('realtimeRequestId');

/**
 * `GET /v1/realtime`: OpenAI's Realtime WebSocket relayed to an OpenAI or Azure channel. The upgrade runs the relay's
 * checks in its order before anything is switched (key → status, expiry, IP, model allow-list → route and price →
 * limits and quota, the session holding one concurrency slot and counting one request), so every refusal is an
 * HTTP answer in OpenAI's error shape; then the upstream handshake with failover, then the client's. A session is
 * one usage record, written when it ends (its `response.done` usages summed and billed).
 */
@Injectable()
export class RealtimeService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(RealtimeService.name);
  private readonly wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_FRAME_BYTES,
    // Browsers send their key as a subprotocol and need `realtime` back; nothing else is ever echoed.
    handleProtocols: (offered) => (offered.has(REALTIME_PROTOCOL) ? REALTIME_PROTOCOL : false),
  });
  private readonly sessions = new Set<RealtimeSession>();
  private readonly trust: (addr: string, i: number) => boolean;

  constructor(
    private readonly auth: KeyAuthenticator,
    private readonly table: RoutingTableService,
    private readonly planner: RoutePlanner,
    private readonly admission: AdmissionService,
    private readonly connector: RealtimeConnector,
    private readonly recorder: UsageRecorder,
    private readonly drain: DrainService,
    private readonly budgets: BudgetGuard,
    @Inject(LIMIT_STORE) private readonly limits: LimitStore,
    @Inject(APP_CONFIG) config: Pick<AppConfig, 'TRUSTED_PROXIES'>,
  ) {
    this.trust = proxyAddr.compile(config.TRUSTED_PROXIES);
    // The 101 carries the session's request id, as every relay answer does (GET /api/logs/:requestId finds it).
    this.wss.on('headers', (headers: string[], req: IncomingMessage) => {
      const id = (req as IncomingMessage & { [REQUEST_ID]?: string })[REQUEST_ID];
      if (id) headers.push(`x-request-id: ${id}`);
    });
  }

  /** The HTTP server's `upgrade` event: a Realtime path is served, any other upgrade is refused with 404. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => undefined);
    const hs = readHandshake(req.url ?? '/', req.headers);
    if (!hs) {
      refuse(socket, newRequestId(), { status: 404, message: `Invalid URL (GET ${(req.url ?? '/').split('?')[0]})`, code: 'not_found' });
      return;
    }
    // A handshake ws would refuse is refused before a key lookup, a slot or an upstream is spent on it.
    const h = req.headers;
    if (h.upgrade?.toLowerCase() !== 'websocket' || !h['sec-websocket-key'] || h['sec-websocket-version'] !== '13') {
      refuse(socket, newRequestId(), { status: 400, message: 'Not a WebSocket handshake (Upgrade: websocket, Sec-WebSocket-Key, Sec-WebSocket-Version: 13).' });
      return;
    }
    void this.open(req, socket, head, hs);
  }

  private async open(req: IncomingMessage, socket: Duplex, head: Buffer, hs: RealtimeHandshake): Promise<void> {
    const requestId = newRequestId();
    const draft = new UsageDraft(requestId, PROTOCOL, hs.model ?? '', true, performance.now());
    draft.endpoint = 'realtime';
    let token: VerifiedToken | null = null;
    let admitted: Admission | null = null;
    let session: RealtimeSession | null = null;
    let finished = false;
    const leave = this.drain.enter(() => (session ? session.close(1001, 'the gateway is shutting down') : socket.destroy()));
    const finish = () => {
      if (finished) return;
      finished = true;
      this.recorder.finish({ draft, call: { protocol: PROTOCOL, stream: true }, token, admitted });
      leave();
    };
    try {
      if (this.drain.isDraining) throw new DomainError('shutting_down', 503, 'The gateway is shutting down; retry on another replica.');
      const ip = proxyAddr(req, this.trust);
      token = await this.auth.identify({ headers: hs.keyCarriers.headers, query: hs.keyCarriers.query, ip });
      draft.tokenId = token.tokenId;
      draft.userId = token.user.id;
      draft.group = token.group.name;
      this.auth.admit(token, ip, { model: hs.model ?? undefined });
      if (!hs.model) throw RelayErrors.modelRequired();
      await this.table.ensureLoaded().catch(() => {
        throw RelayErrors.routingUnavailable();
      });
      const route = this.planner.plan(hs.model, token.group.name);
      const price = await this.planner.price(route.model, token);
      const meter = new RealtimeMeter(price, token.group.priceRatio);
      // The session is one request to the limits: one RPM hit, one concurrency slot for its life, nothing reserved
      // but the per-request price; each response is admitted against the quota as it is asked for (below).
      admitted = await this.admission.admit(requestId, token, price, 0, 0, null, SESSION_LEASE_TTL_MS);
      draft.reservedMicros = admitted.lease.reservedMicros;
      const extra: Record<string, string> = hs.beta ? { 'openai-beta': hs.beta } : {};
      const upstream = await this.connector.connect(route, token.group.name, token.crossGroupRetry, draft, extra, () => socket.destroyed);
      const owner = token;
      let checks = 0;
      const s = (session = new RealtimeSession(upstream.ws, upstream.early, meter, {
        admitResponse: (create) => this.admitResponse(`${requestId}:r${++checks}`, owner, meter, create),
        firstServerFrame: () => (draft.ttftMs ??= Math.round(performance.now() - draft.startedAt)),
        ended: (end) => {
          this.sessions.delete(s);
          this.settle(draft, meter, end);
          finish();
        },
      }));
      this.sessions.add(s);
      draft.status = 200;
      if (socket.destroyed) return s.abandon();
      (req as IncomingMessage & { [REQUEST_ID]?: string })[REQUEST_ID] = requestId;
      this.wss.handleUpgrade(req, socket, head, (client) => s.attach(client));
      // ws answers a handshake it refuses (bad Sec-WebSocket-Key…) itself and closes the socket.
      socket.once('close', () => {
        if (!s.attached) s.abandon();
      });
    } catch (err) {
      const e = err instanceof DomainError ? err : new DomainError('internal', 500, 'internal error');
      if (!(err instanceof DomainError)) this.logger.error((err as Error)?.stack ?? String(err));
      draft.status = e.status;
      draft.error = e.message;
      this.logger.debug(`${requestId}: refused with ${e.status} (${e.message})${socket.destroyed ? ', the client is gone' : ''}`);
      if (!socket.destroyed) refuse(socket, requestId, e);
      finish();
    }
  }

  /**
   * Before a `response.create` is forwarded: can the token quota and the user balance still cover what this session
   * has spent (billed at its end, one usage record) plus this response at most? Asked of the counters every replica
   * shares, as a reservation given back at once, so what other requests spent meanwhile counts.
   */
  private async admitResponse(checkId: string, token: VerifiedToken, meter: RealtimeMeter, create: ResponseCreate): Promise<GatewayError | null> {
    const quota = buildQuotaAccounts({
      token: { id: token.tokenId, remainingMicros: token.quotaMicros === null ? null : Math.max(0, token.quotaMicros - token.usedQuotaMicros) },
      user: { id: token.user.id, remainingMicros: token.user.balanceMicros === null ? null : Math.max(0, token.user.balanceMicros) },
    });
    // The budgets too: the session's spend is settled on them when it ends, as on the quota and the balance.
    const budgets = this.budgets.accounts(token);
    if (budgets) quota.push(...budgets.quota);
    if (!quota.length) return null;
    const reserveMicros = meter.costMicros + meter.nextResponseMicros(create);
    const r = await this.limits.acquire({ requestId: checkId, scopes: [], estimatedTokens: 0, quota, reserveMicros });
    if (r.ok) {
      await this.limits.release(r.lease);
      return null;
    }
    const budget = budgets?.budgets.find((b) => b.account === r.scope);
    if (budget) {
      const e = this.budgets.refusal(budget);
      return { status: e.status, code: e.code, type: e.code, message: e.message };
    }
    const who = r.scope.startsWith('user') ? 'account balance' : 'API key quota';
    return {
      status: 429,
      code: 'insufficient_quota',
      type: 'insufficient_quota',
      message: `You exceeded your current quota: the ${who} cannot cover another response in this session.`,
    };
  }

  private settle(draft: UsageDraft, meter: RealtimeMeter, end: SessionEnd): void {
    draft.usage = { ...meter.usage };
    draft.costMicros = meter.costMicros;
    draft.status = end.status;
    draft.error = end.error;
    draft.upstreamBroken = end.upstreamBroken;
  }

  /** Drain: sessions do not end by themselves, so they are closed at once with 1001 (going away) and reconnect elsewhere. */
  beforeApplicationShutdown(): void {
    if (this.sessions.size) this.logger.log(`closing ${this.sessions.size} Realtime session(s) with 1001`);
    for (const s of this.sessions) s.close(1001, 'the gateway is shutting down');
  }
}

/** A refused upgrade: an HTTP answer on the raw socket, in OpenAI's error shape, with the relay's headers. */
function refuse(socket: Duplex, requestId: string, e: DomainError | GatewayError): void {
  const out = renderRelayError(PROTOCOL, requestId, e);
  const headers: Record<string, string> = { ...out.headers, 'content-length': String(Buffer.byteLength(out.body)), connection: 'close' };
  const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`);
  socket.end(`HTTP/1.1 ${out.status} ${STATUS_CODES[out.status] ?? ''}\r\n${lines.join('')}\r\n${out.body}`);
}
