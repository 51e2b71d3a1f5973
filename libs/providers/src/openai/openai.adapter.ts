import {
  normalizeBaseUrl,
  webSocketOrigin,
  type Operation,
  type ProviderAdapter,
  type TargetArgs,
  type UpstreamRequestTarget,
  type WireProtocol,
} from '../provider.types';

export const OPENAI_PATHS: Partial<Record<WireProtocol, string>> = {
  'openai-chat': '/chat/completions',
  'openai-responses': '/responses',
  'openai-embeddings': '/embeddings',
  'openai-realtime': '/realtime',
};

/** OpenAI and every OpenAI-compatible API: Chat, Responses and Embeddings under a versioned base, Bearer auth. */
export class OpenAiAdapter implements ProviderAdapter {
  /**
   * @param versionBase the path between the origin and /chat/completions: `/v1` for OpenAI, `/api/paas/v4` for Zhipu…
   * @param servesResponses the API has `/responses` (OpenAI itself); OpenAI-compatible ones (DeepSeek, Qwen…) only have
   * Chat Completions, so their Responses clients are converted through Chat.
   */
  constructor(
    readonly type = 'openai',
    private readonly versionBase = '/v1',
    private readonly servesResponses = true,
  ) {}

  protocolFor(_model: string, operation: Operation, inbound: WireProtocol): WireProtocol | null {
    if (operation === 'embed') return 'openai-embeddings';
    // Realtime is OpenAI's own WebSocket API: the compatible APIs (no /responses either) do not have it.
    if (operation === 'realtime') return this.servesResponses ? 'openai-realtime' : null;
    // Responses clients get Responses upstream where it exists; every other client is served through Chat Completions.
    return inbound === 'openai-responses' && this.servesResponses ? 'openai-responses' : 'openai-chat';
  }

  target(args: TargetArgs): UpstreamRequestTarget {
    const path = OPENAI_PATHS[args.protocol];
    if (!path) throw new Error(`${this.type} channels do not speak ${args.protocol}`);
    let base = normalizeBaseUrl(args.baseUrl);
    if (base.endsWith(this.versionBase)) base = base.slice(0, -this.versionBase.length);
    if (args.protocol === 'openai-realtime') {
      const url = `${webSocketOrigin(base)}${this.versionBase}${path}?model=${encodeURIComponent(args.model)}`;
      return { protocol: args.protocol, url, headers: { authorization: `Bearer ${args.apiKey}` } };
    }
    return { protocol: args.protocol, url: base + this.versionBase + path, headers: { authorization: `Bearer ${args.apiKey}` } };
  }
}
