import { Injectable, Logger } from '@nestjs/common';
import { DomainError } from '@switchboard/contracts';
import { parseUpstreamError, type WireProtocol } from '@switchboard/protocols';
import { statusClass } from '@switchboard/observability';
import { mapStatus, providerFor, upstreamProtocolOf } from '@switchboard/providers';
import WebSocket, { type RawData } from 'ws';
import { pickChannel, pickKey } from '../relay/channel-selector';
import { RelayErrors } from '../relay/relay.errors';
import { FailoverPolicy, transportFailure, type AttemptFailure } from '../relay/failover-policy';
import type { Route } from '../relay/route-planner';
import { UpstreamClient } from '../relay/upstream.client';
import { FailoverTally } from '../relay/upstream-failure.util';
import type { UsageDraft } from '../relay/usage-record.builder';
import { UsageRecorder } from '../relay/usage-recorder';
import { BanListService } from '../state/ban-list.service';
import { RoutingTableService, type RuntimeChannel, type RuntimeKey } from '../state/routing-table.service';

const PROTOCOL: WireProtocol = 'openai-realtime';
const MAX_ERROR_BODY = 64 * 1024;
/** Largest frame accepted from either side (an audio delta is ~100 KB; a whole conversation item can be a few MB). */
export const MAX_FRAME_BYTES = 16 * 1024 * 1024;

export interface RealtimeUpstream {
  ws: WebSocket;
  /**
   * Frames that arrived with or right after the handshake (`session.created` often shares its TCP segment): ws emits
   * them before the caller's continuation runs, so they are kept here until the session takes the socket over.
   */
  early: Frames;
  channel: RuntimeChannel;
  upstreamModel: string;
}

/** Frames kept for a reader that is not there yet; `take` hands them over and stops keeping. */
export interface Frames {
  take(): [Buffer, boolean][];
}

type Dialled = { ws: WebSocket; early: Frames } | { failure: AttemptFailure };

function keepFrames(ws: WebSocket): Frames {
  const kept: [Buffer, boolean][] = [];
  const onMessage = (data: RawData, isBinary: boolean) => kept.push([rawBytes(data), isBinary]);
  ws.on('message', onMessage);
  return {
    take: () => {
      ws.off('message', onMessage);
      return kept.splice(0);
    },
  };
}

export function rawBytes(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

const REALTIME_CALL = { operation: 'realtime', protocol: PROTOCOL, endpoint: 'realtime' } as const;

/** Whether a channel can carry a Realtime session (its type, or its declared endpoints, serve `realtime`). */
export function servesRealtime(channel: RuntimeChannel, model: string): boolean {
  return upstreamProtocolOf(channel, REALTIME_CALL, channel.modelMapping[model] ?? model) === PROTOCOL;
}

/**
 * Opens the upstream WebSocket of a session with the relay's failover (SPEC §6), applied to the handshake: the route's
 * model then its alias' fallbacks; in each, channels that can serve Realtime, not banned, by priority and weight ×
 * health; a refused or failed handshake excludes that channel (or key) and is charged, recorded and banned by the
 * same FailoverPolicy. The relay's FailoverLoop drives an HTTP exchange and its sinks; a session has neither, so
 * this loop reuses its pure parts (selection, policy, tally) around a WebSocket dial.
 */
@Injectable()
export class RealtimeConnector {
  private readonly logger = new Logger(RealtimeConnector.name);
  constructor(
    private readonly table: RoutingTableService,
    private readonly bans: BanListService,
    private readonly policy: FailoverPolicy,
    private readonly upstream: UpstreamClient,
    private readonly recorder: UsageRecorder,
  ) {}

  /** The open upstream socket, or throws the client's error (the policy's answer when every candidate failed). */
  async connect(
    route: Route,
    group: string,
    crossGroup: boolean,
    draft: UsageDraft,
    extraHeaders: Record<string, string>,
    gone: () => boolean,
  ): Promise<RealtimeUpstream> {
    const excludedKeys = new Set<string>();
    const state = { budget: this.policy.retryBudget };
    const tally = new FailoverTally();
    let last: AttemptFailure | undefined;
    let sawCandidate = false;
    const models = [route.model, ...route.fallbacks];
    for (let m = 0; m < models.length && state.budget >= 0; m++) {
      const model = models[m];
      if (m > 0) this.recorder.fellBack(route.alias);
      const excluded = new Set<number>();
      let candidates = (m === 0 ? route.candidates : this.table.channelsFor(model, group)).filter((c) => servesRealtime(c, model));
      for (let widened = false; ;) {
        const usable = candidates.filter((c) => !this.bans.isBanned(c.id, model));
        if (usable.length) sawCandidate = true;
        const best = Math.min(...usable.map((c) => this.bans.latencyOf(c.id) ?? Infinity));
        const channel = pickChannel(usable, excluded, (id) => this.bans.health(id, Number.isFinite(best) ? best : 0));
        if (!channel) {
          if (crossGroup && !widened) {
            widened = true;
            candidates = this.table.channelsForAnyGroup(model).filter((c) => servesRealtime(c, model));
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
        const upstreamModel = channel.modelMapping[model] ?? model;
        draft.channelId = channel.id;
        draft.upstreamModel = upstreamModel;
        draft.upstreamProtocol = PROTOCOL;
        const t0 = performance.now();
        const dialled = await this.dial(channel, key, upstreamModel, extraHeaders, gone);
        draft.upstreamMs += performance.now() - t0;
        const failure = 'failure' in dialled ? dialled.failure : undefined;
        this.recorder.observeUpstream(channel.id, PROTOCOL, failure?.kind === 'http' || !failure ? statusClass(failure?.status ?? 200) : failure.kind, t0);
        this.recordOutcome(channel, model, key, failure, performance.now() - t0);
        draft.keyAttempt(key.id, !failure);
        this.logger.debug(`${draft.requestId}: channel ${channel.id} key ${key.index}: ${failure ? `${failure.status} ${failure.error.message}` : 'open'}`);
        if (!failure) return { ...(dialled as { ws: WebSocket; early: Frames }), channel, upstreamModel };
        if (gone()) throw new DomainError('client_closed', 499, 'client closed the connection');
        last = failure;
        tally.attempt(failure.status, failure.error, failure.free);
        if (failure.final) throw new DomainError('upstream_refused', failure.status, failure.error.message, { param: failure.error.param });
        if (this.policy.excludes(failure, channel) === 'key') excludedKeys.add(`${channel.id}:${key.index}`);
        else excluded.add(channel.id);
        const charge = this.policy.charge(failure, state);
        if (charge === 'exhausted') break;
        if (charge === 'retry') this.recorder.retried(PROTOCOL, this.policy.retryReason(failure));
      }
    }
    if (!sawCandidate && !models.some((model) => this.table.channelsFor(model, group).some((c) => servesRealtime(c, model)))) {
      throw RelayErrors.unsupported(route.alias ?? route.model, 'the Realtime API (OpenAI or Azure channels)');
    }
    const now = Date.now();
    for (const model of models) {
      for (const c of this.table.channelsFor(model, group)) {
        const ban = this.bans.banOf(c.id, model, now);
        if (ban) tally.banned(ban, now);
      }
    }
    throw this.policy.exhaustedError(route.alias ?? route.model, last, sawCandidate, tally);
  }

  /** One handshake with one channel key, bounded by the channel's connect + first-byte timeouts. */
  private dial(channel: RuntimeChannel, key: RuntimeKey, upstreamModel: string, extraHeaders: Record<string, string>, gone: () => boolean): Promise<Dialled> {
    const target = providerFor(channel.type)!.target({
      baseUrl: channel.baseUrl,
      apiKey: key.key,
      model: upstreamModel,
      protocol: PROTOCOL,
      stream: true,
      operation: 'realtime',
      // the type's settings pick the URL style (Azure's apiVersion: v1 or a dated preview realtime path)
      config: channel.config ?? {},
    });
    const timeouts = this.upstream.timeoutsFor(channel.timeouts);
    const limit = timeouts.connectMs + timeouts.firstByteMs;
    return new Promise<Dialled>((resolve) => {
      const ws = new WebSocket(target.url, {
        headers: { ...target.headers, ...extraHeaders, ...channel.headers },
        handshakeTimeout: limit,
        perMessageDeflate: false,
        maxPayload: MAX_FRAME_BYTES,
        followRedirects: false,
      });
      const giveUp = setInterval(() => {
        if (gone()) ws.terminate();
      }, 250);
      let settled = false;
      const done = (d: Dialled) => {
        clearInterval(giveUp);
        if (settled) return;
        settled = true;
        if ('failure' in d) ws.terminate();
        resolve(d);
      };
      ws.once('open', () => done({ ws, early: keepFrames(ws) }));
      ws.once('unexpected-response', (req, res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          if ((size += c.length) <= MAX_ERROR_BODY) chunks.push(c);
        });
        const finish = () => {
          req.destroy();
          const status = res.statusCode ?? 502;
          const mapped = mapStatus(channel, status);
          const error = parseUpstreamError(PROTOCOL, mapped, Buffer.concat(chunks).toString('utf8'));
          const retryAfter = Number(res.headers['retry-after']);
          if (res.headers['retry-after'] !== undefined && Number.isFinite(retryAfter)) error.retryAfterSeconds = retryAfter;
          // An upgrade answered 2xx/3xx without switching protocols is no Realtime server either.
          done({
            failure: mapped >= 400 ? this.policy.httpFailure(mapped, error) : transportFailure(502, 'network', `upstream answered ${status} to the upgrade`),
          });
        };
        res.once('end', finish);
        res.once('error', finish);
      });
      ws.on('error', (e: Error & { code?: string }) => {
        const timedOut = /handshake has timed out/i.test(e.message);
        const connect = e.code === 'ECONNREFUSED' || e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN';
        const kind = timedOut ? 'timeout_first_byte' : connect ? 'connect' : 'network';
        done({
          failure: transportFailure(
            timedOut ? 504 : 502,
            kind,
            timedOut ? `upstream did not answer the WebSocket upgrade within ${limit} ms` : `upstream ${kind}: ${e.message}`,
          ),
        });
      });
    });
  }

  /** Feeds the error-rate windows and sets the ban the policy decides (as the relay's failover loop does). */
  private recordOutcome(channel: RuntimeChannel, model: string, key: RuntimeKey, failure: AttemptFailure | undefined, ms: number): void {
    const outcome = this.policy.healthOutcome(channel, model, key.index, failure, false);
    if (!outcome) return;
    this.bans.record(outcome, outcome.ok ? ms : null);
    if (!failure) return;
    const ban = this.policy.banAfter(channel, model, key.index, failure, Date.now());
    if (ban) this.bans.ban(ban);
  }
}
