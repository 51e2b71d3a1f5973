import type { Operation, WireProtocol } from '@switchboard/protocols';

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
