import { EventEmitter } from 'node:events';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@switchboard/config';
import type { ChannelTimeouts } from '@switchboard/contracts';
import { SpanKind, inSpan, tracingActive } from '@switchboard/observability';
import type { UpstreamBody } from '@switchboard/providers';
import { Agent, FormData as UndiciFormData } from 'undici';
import { UpstreamResponse, type UpstreamSignal } from './upstream-response';

export interface UpstreamTimeouts {
  connectMs: number;
  firstByteMs: number;
  idleMs: number;
}

export type UpstreamFailureKind = 'connect' | 'timeout_first_byte' | 'timeout_idle' | 'too_large' | 'network';

/** Classifies undici's errors and the relay's own bounds on a response into what the retry policy and status need. */
export function classifyUpstreamError(err: unknown): UpstreamFailureKind {
  const code = (err as { code?: string })?.code ?? '';
  if (code === 'UPSTREAM_RESPONSE_TOO_LARGE' || code === 'SSE_EVENT_TOO_LARGE') return 'too_large';
  if (code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'connect';
  if (code === 'UND_ERR_HEADERS_TIMEOUT') return 'timeout_first_byte';
  if (code === 'UND_ERR_BODY_TIMEOUT') return 'timeout_idle';
  return 'network';
}

/**
 * The cancel switch of one relay (client gone, shutdown). undici takes an EventEmitter with `aborted`/`reason` as a
 * request signal; creating one costs a fraction of an AbortController, whose AbortSignal is an EventTarget (the
 * profile of the gateway under load showed `createAbortSignal` alone at ~2 % of its CPU).
 */
export class RelayAbort extends EventEmitter {
  aborted = false;
  reason: unknown = undefined;

  abort(reason?: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.emit('abort');
  }
}

interface ParsedTarget {
  origin: string;
  path: string;
  host: string;
  hostname: string;
  pathname: string;
}

/** Upstream URLs repeat (one per channel × model × protocol): parse each once instead of `new URL()` per request. */
const parsedTargets = new Map<string, ParsedTarget>();
function parseTarget(url: string): ParsedTarget {
  let t = parsedTargets.get(url);
  if (!t) {
    const u = new URL(url);
    t = { origin: u.origin, path: url.slice(u.origin.length), host: u.host, hostname: u.hostname, pathname: u.pathname };
    // Bounded: URLs with per-request parts (a Gemini key in the query) must not grow this without limit.
    if (parsedTargets.size >= 1000) parsedTargets.clear();
    parsedTargets.set(url, t);
  }
  return t;
}

/** Pooled keep-alive upstream calls with undici (one Agent per connect timeout value). */
@Injectable()
export class UpstreamClient implements OnApplicationShutdown {
  private readonly agents = new Map<number, Agent>();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  timeoutsFor(channel: ChannelTimeouts | null): UpstreamTimeouts {
    return {
      connectMs: channel?.connectMs ?? this.config.UPSTREAM_CONNECT_TIMEOUT_MS,
      firstByteMs: channel?.firstByteMs ?? this.config.UPSTREAM_FIRST_BYTE_TIMEOUT_MS,
      idleMs: channel?.idleMs ?? this.config.UPSTREAM_IDLE_TIMEOUT_MS,
    };
  }

  private agent(connectMs: number): Agent {
    let a = this.agents.get(connectMs);
    if (!a) {
      a = new Agent({ connect: { timeout: connectMs }, keepAliveTimeout: 30_000, connections: 256, pipelining: 1 });
      this.agents.set(connectMs, a);
    }
    return a;
  }

  /**
   * POSTs to the upstream; settles when its response headers arrive (the body is read from the response after).
   * A CLIENT span covers that wait.
   */
  send(url: string, headers: Record<string, string>, body: UpstreamBody, t: UpstreamTimeouts, signal: UpstreamSignal | null): Promise<UpstreamResponse> {
    const u = parseTarget(url);
    const request = () => {
      const res = new UpstreamResponse(signal);
      this.agent(t.connectMs).dispatch(
        { origin: u.origin, path: u.path, method: 'POST', headers, body: sendable(body), headersTimeout: t.firstByteMs, bodyTimeout: t.idleMs },
        res,
      );
      return res.headers;
    };
    // Tracing off: the span would be the API's no-op one; skip its context switch and closures on every attempt.
    if (!tracingActive()) return request();
    return inSpan(`upstream POST ${u.host}`, SpanKind.CLIENT, { 'server.address': u.hostname, 'url.path': u.pathname }, async (span) => {
      const res = await request();
      span.setAttribute('http.response.status_code', res.statusCode);
      return res;
    });
  }

  /** After the HTTP server closed (Nest calls shutdown hooks last): in-flight streams still need these. */
  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.agents.values()].map((a) => a.close()));
  }
}

/**
 * Node's global FormData (what uploadForm builds) is not a class of the undici this pool runs, which cannot encode it
 * ("action is not a function"): its entries go into undici's own form, files as the same lazy Blobs (a spooled upload
 * is read from disk as it is sent), encoded with a content length.
 */
function sendable(body: UpstreamBody): Buffer | string | UndiciFormData {
  if (!(body instanceof FormData)) return body;
  const form = new UndiciFormData();
  for (const [name, value] of body) {
    if (typeof value === 'string') form.append(name, value);
    else form.append(name, value, value.name);
  }
  return form;
}
