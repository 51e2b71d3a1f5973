import type { GatewayError, Operation, WireProtocol } from '@switchboard/protocols';
import type { ProviderServices } from './credentials/provider-services';
import type { UpstreamBody } from './upstream-call.types';

export type { Operation, WireProtocol };

export interface UpstreamRequestTarget {
  protocol: WireProtocol;
  url: string;
  headers: Record<string, string>;
}

export interface TargetArgs {
  baseUrl: string;
  apiKey: string;
  /** model as sent upstream (after mapping) */
  model: string;
  protocol: WireProtocol;
  stream: boolean;
  /** what the client asked for: the path of a family with several endpoints (images, audio) */
  operation: Operation;
  /** for gemini: the inbound Gemini action when the client spoke Gemini, e.g. batchEmbedContents */
  geminiAction?: string;
  /** the channel's type settings (`region`, `project`, `apiVersion`…); absent or `{}` when it has none */
  config?: Readonly<Record<string, unknown>>;
}

/** An upstream request once built, before it is sent: what `prepare` may sign, authorise or reshape. */
export interface PreparedRequest {
  url: string;
  headers: Record<string, string>;
  body: UpstreamBody;
}

/** Which credential an attempt uses, for hooks that mint, cache or refresh tokens per key. */
export interface CredentialContext {
  channelId: number;
  /** the key's position in the channel's pool */
  keyIndex: number;
  /** the key as the admin stored it (an API key, `AKID:SECRET`, a service-account or Kiro JSON…) */
  apiKey: string;
  baseUrl: string;
  config: Readonly<Record<string, unknown>>;
  services: ProviderServices;
}

/**
 * Bytes of an upstream stream turned into the SSE text its protocol's stream decoder reads, for transports that do not
 * frame as SSE (AWS's binary event stream). `push` may hold back a partial frame; errors thrown end the stream.
 */
export interface StreamFramer {
  push(chunk: Uint8Array): string;
  end(): string;
}

/** A key's allowance where the provider reports one (Kiro credits): what the key pool shows and routing prefers. */
export interface KeyAllowance {
  used: number;
  limit: number;
  /** ISO-8601, or null when the provider does not say */
  resetAt: string | null;
}

/** What a provider's account holds, where it exposes it. */
export interface ChannelBalance {
  balance: number;
  currency: string;
}

/** Thrown by `prepare` when no credential could be had: `status` 401/403 blames the key, anything else the upstream. */
export class CredentialError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** One upstream type: which protocol it speaks for a model, and how to address it. */
export interface ProviderAdapter {
  readonly type: string;
  /**
   * The protocol this channel uses for a model and operation, given what the client speaks (null: unsupported).
   * `declared`: the channel's `endpoints` name this family, so an API of this shape serves it even if the type's
   * default does not (an OpenAI-compatible server with rerank).
   */
  protocolFor(model: string, operation: Operation, inbound: WireProtocol, declared?: boolean): WireProtocol | null;
  target(args: TargetArgs): UpstreamRequestTarget;
  /**
   * Per attempt, after the request is built and before it is sent: sign it (SigV4), put a minted or refreshed token on
   * it (Vertex, Kiro, Entra ID), or reshape the body the provider's way. Absent: the request goes as built.
   */
  prepare?(req: PreparedRequest, cred: CredentialContext, protocol: WireProtocol): Promise<void>;
  /** The upstream refused the credential `prepare` used (401): forget cached tokens so the next attempt mints anew. */
  credentialRejected?(cred: CredentialContext): void;
  /**
   * Upstream statuses that may mean a stale minted token (default 401): the relay drops it (`credentialRejected`) and
   * retries once on the same key with a fresh one before blaming the key. Kiro answers an expired token with 403.
   */
  readonly staleCredentialStatuses?: readonly number[];
  /** For a stream in `protocol` that this provider does not frame as SSE: the transcoder to SSE text. */
  streamFramer?(protocol: WireProtocol): StreamFramer | undefined;
  /** Why a channel's `config` is unusable for this type (`{ field, message }`), or null when it is fine. */
  configProblem?(config: Readonly<Record<string, unknown>>): { field: string; message: string } | null;
  /** The key's allowance as the provider reports it (read periodically by the router). */
  keyAllowance?(cred: CredentialContext): Promise<KeyAllowance | null>;
  /** The account's balance as the provider reports it (read periodically by the router). */
  balance?(cred: CredentialContext): Promise<ChannelBalance | null>;
  /**
   * An upstream error answer read the provider's way (AWS names the error in a header, not the body): the error with
   * the status routing acts on (401 bans the key, 403/404 skip the channel, 429 backs off, 400 is the client's), or
   * null to read it as the protocol's error body.
   */
  upstreamError?(status: number, header: (name: string) => string | undefined, body: string): GatewayError | null;
}

/** `https://x/v1/` and `https://x/v1` → `https://x`: a user-typed version suffix is tolerated, never doubled. */
export function normalizeBaseUrl(baseUrl: string, versionSuffixes = ['/v1', '/v1beta']): string {
  let url = baseUrl.trim().replace(/\/+$/, '');
  for (const s of versionSuffixes) if (url.endsWith(s)) url = url.slice(0, -s.length);
  return url;
}

/** `https://x` → `wss://x`, `http://x` → `ws://x`: a WebSocket API (Realtime) on the channel's own origin. */
export function webSocketOrigin(baseUrl: string): string {
  return baseUrl.replace(/^http(s?):\/\//i, (_m, s: string) => `ws${s}://`);
}
