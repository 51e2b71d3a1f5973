import { Logger } from '@nestjs/common';
import { realtimeErrorEvent, type GatewayError, type ResponseCreate } from '@switchboard/protocols';
import type { RawData, WebSocket } from 'ws';
import { newRequestId } from '../relay/request-id';
import type { RealtimeMeter } from './realtime-meter';
import { rawBytes, type Frames } from './realtime-upstream.connector';

/** Above this many bytes queued for one side, the other side is no longer read; below LOW it is read again. */
export const HIGH_WATER_BYTES = 4 * 1024 * 1024;
const LOW_WATER_BYTES = 1024 * 1024;
/** Each leg is pinged this often; a peer that has not answered the previous ping by the next is gone. */
export const PING_INTERVAL_MS = 30_000;
/** After one side closed, how long the other has to finish its closing handshake before it is cut. */
const CLOSE_GRACE_MS = 5_000;

/** How a session ended, for its usage record. */
export interface SessionEnd {
  status: number;
  error: string | null;
  /** the upstream broke the session off (counts against the channel's health) */
  upstreamBroken: boolean;
}

export interface SessionHooks {
  /** Null to forward a `response.create`, or the refusal sent back instead (quota exhausted…). */
  admitResponse(create: ResponseCreate): Promise<GatewayError | null>;
  firstServerFrame(): void;
  ended(end: SessionEnd): void;
}

/** Codes a close frame may carry (RFC 6455 §7.4): 1005, 1006 and 1015 only describe a close, never travel in one. */
export function sendableCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) || (code >= 3000 && code <= 4999);
}

/**
 * One client ↔ upstream Realtime session: frames relayed both ways as they are (text and binary), each side read only
 * while the other keeps up (backpressure), a client `response.create` held until the quota admits it, every server
 * frame shown to the meter, close codes forwarded, both legs pinged. Created when the upstream is open, before the
 * client's upgrade completes: what the upstream sends meanwhile (`session.created`) waits for the client.
 */
export class RealtimeSession {
  private readonly logger = new Logger(RealtimeSession.name);
  private client: WebSocket | null = null;
  private readonly early: [Buffer, boolean][] = [];
  /** client frames that arrived while a `response.create` was being admitted, in order */
  private readonly backlog: [Buffer, boolean][] = [];
  private admitting = false;
  private readonly clientPausedFor = new Set<'admission' | 'backpressure'>();
  private firstFrame = true;
  private closed = { client: false, upstream: false };
  private end: SessionEnd = { status: 200, error: null, upstreamBroken: false };
  private finished = false;
  private pinger: NodeJS.Timeout | null = null;
  private graceTimer: NodeJS.Timeout | null = null;
  private readonly alive = new WeakMap<WebSocket, boolean>();

  constructor(
    private readonly upstream: WebSocket,
    early: Frames,
    private readonly meter: RealtimeMeter,
    private readonly hooks: SessionHooks,
  ) {
    for (const [frame, binary] of early.take()) this.fromUpstream(frame, binary);
    upstream.on('message', (data: RawData, isBinary: boolean) => this.fromUpstream(rawBytes(data), isBinary));
    upstream.on('close', (code: number, reason: Buffer) => this.upstreamClosed(code, reason));
    upstream.on('error', (e: Error) => this.logger.warn(`upstream socket error: ${e.message}`));
    upstream.on('pong', () => this.alive.set(upstream, true));
    // It may have closed between its handshake and now, as its first frames may have arrived.
    if (upstream.readyState === upstream.CLOSED) this.upstreamClosed(1006, Buffer.alloc(0));
  }

  get attached(): boolean {
    return this.client !== null;
  }

  /** The client's socket, once its upgrade completed. */
  attach(client: WebSocket): void {
    this.client = client;
    client.on('message', (data: RawData, isBinary: boolean) => this.fromClient(rawBytes(data), isBinary));
    client.on('close', (code: number, reason: Buffer) => this.clientClosed(code, reason));
    client.on('error', (e: Error) => this.logger.debug(`client socket error: ${e.message}`));
    client.on('pong', () => this.alive.set(client, true));
    for (const [frame, binary] of this.early.splice(0)) this.toClient(frame, binary);
    if (this.closed.upstream) this.closeClient(this.end.upstreamBroken ? 1011 : 1000, 'upstream closed');
    this.pinger = setInterval(() => this.ping(), PING_INTERVAL_MS);
    this.pinger.unref();
  }

  /** Ends the session from the gateway's side (drain: 1001 going away). */
  close(code: number, reason: string): void {
    this.end.error ??= reason;
    this.closeClient(code, reason);
    this.closeUpstream(code, reason);
  }

  // ------------------------------------------------------------ client → upstream

  private fromClient(frame: Buffer, binary: boolean): void {
    if (this.admitting) {
      this.backlog.push([frame, binary]);
      return;
    }
    const create = binary ? null : this.meter.client(frame);
    if (create) {
      this.admitting = true;
      this.pauseClient('admission');
      void this.admit(frame, create);
      return;
    }
    this.toUpstream(frame, binary);
  }

  private async admit(frame: Buffer, create: ResponseCreate): Promise<void> {
    const refusal = await this.hooks
      .admitResponse(create)
      .catch((e: unknown): GatewayError => ({ status: 503, message: `The quota cannot be checked right now: ${(e as Error).message}` }));
    if (refusal) this.toClient(Buffer.from(realtimeErrorEvent(refusal, `event_${newRequestId().replace(/-/g, '')}`, create.eventId)), false);
    else this.toUpstream(frame, false);
    this.admitting = false;
    while (this.backlog.length && !this.admitting) {
      const [f, b] = this.backlog.shift()!;
      this.fromClient(f, b);
    }
    if (!this.admitting) this.resumeClient('admission');
  }

  private toUpstream(frame: Buffer, binary: boolean): void {
    const up = this.upstream;
    if (up.readyState !== up.OPEN) return;
    up.send(frame, { binary }, () => {
      if (this.clientPausedFor.has('backpressure') && up.bufferedAmount < LOW_WATER_BYTES) this.resumeClient('backpressure');
    });
    if (up.bufferedAmount > HIGH_WATER_BYTES) this.pauseClient('backpressure');
  }

  private pauseClient(reason: 'admission' | 'backpressure'): void {
    this.clientPausedFor.add(reason);
    this.client?.pause();
  }

  private resumeClient(reason: 'admission' | 'backpressure'): void {
    this.clientPausedFor.delete(reason);
    if (!this.clientPausedFor.size) this.client?.resume();
  }

  // ------------------------------------------------------------ upstream → client

  private fromUpstream(frame: Buffer, binary: boolean): void {
    if (this.firstFrame) {
      this.firstFrame = false;
      this.hooks.firstServerFrame();
    }
    // Billed as it passes, whether or not the client is still there to read it.
    if (!binary) this.meter.server(frame);
    if (!this.client) this.early.push([frame, binary]);
    else this.toClient(frame, binary);
  }

  private toClient(frame: Buffer, binary: boolean): void {
    const c = this.client;
    if (!c || c.readyState !== c.OPEN) return;
    const up = this.upstream;
    c.send(frame, { binary }, () => {
      if (up.isPaused && c.bufferedAmount < LOW_WATER_BYTES) up.resume();
    });
    if (c.bufferedAmount > HIGH_WATER_BYTES && !up.isPaused) up.pause();
  }

  // ------------------------------------------------------------ ends

  private clientClosed(code: number, reason: Buffer): void {
    this.closed.client = true;
    this.closeUpstream(sendableCloseCode(code) ? code : 1000, reason.toString('utf8'));
    this.maybeFinish();
  }

  private upstreamClosed(code: number, reason: Buffer): void {
    this.closed.upstream = true;
    if (!this.closed.client && code !== 1000 && code !== 1001 && !this.end.error) {
      this.end = {
        status: 502,
        error: `the upstream closed the session (${code}${reason.length ? `: ${reason.toString('utf8')}` : ''})`,
        upstreamBroken: true,
      };
    }
    if (this.client) this.closeClient(sendableCloseCode(code) ? code : 1011, reason.toString('utf8'));
    this.maybeFinish();
  }

  private closeClient(code: number, reason: string): void {
    const c = this.client;
    if (!c) return;
    if (c.readyState === c.OPEN) c.close(code, truncateReason(reason));
    this.cutAfterGrace();
  }

  private closeUpstream(code: number, reason: string): void {
    const up = this.upstream;
    if (up.readyState === up.OPEN || up.readyState === up.CONNECTING) up.close(code, truncateReason(reason));
    this.cutAfterGrace();
  }

  /** A peer that does not answer a close frame is cut, so the session (and its usage record) always ends. */
  private cutAfterGrace(): void {
    if (this.graceTimer) return;
    this.graceTimer = setTimeout(() => {
      this.client?.terminate();
      this.upstream.terminate();
    }, CLOSE_GRACE_MS);
    this.graceTimer.unref();
  }

  /** The client's upgrade never completed (it left during the handshake): the session ends with the upstream. */
  abandon(): void {
    this.closed.client = true;
    this.end.error ??= 'the client left before the session opened';
    this.closeUpstream(1000, 'client gone');
    this.maybeFinish();
  }

  private maybeFinish(): void {
    if (this.finished || !this.closed.upstream || !this.closed.client) return;
    this.finished = true;
    if (this.pinger) clearInterval(this.pinger);
    if (this.graceTimer) clearTimeout(this.graceTimer);
    this.hooks.ended(this.end);
  }

  /** Keepalive through proxies, and a dead peer found: one ping per interval, a missing pong ends that leg. */
  private ping(): void {
    for (const ws of [this.client, this.upstream]) {
      if (!ws || ws.readyState !== ws.OPEN) continue;
      if (this.alive.get(ws) === false) {
        ws.terminate();
        continue;
      }
      this.alive.set(ws, false);
      ws.ping();
    }
  }
}

/** A close reason is at most 123 bytes (RFC 6455 §5.5). */
function truncateReason(reason: string): string {
  const b = Buffer.from(reason, 'utf8');
  return b.length <= 123 ? reason : b.subarray(0, 120).toString('utf8');
}
