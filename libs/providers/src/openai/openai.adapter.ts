import { COMPLETIONS_ONLY_MODEL, FAMILY_PROTOCOL, openAiPath } from './openai-endpoints';
import {
  normalizeBaseUrl,
  webSocketOrigin,
  type Operation,
  type ProviderAdapter,
  type TargetArgs,
  type UpstreamRequestTarget,
  type WireProtocol,
} from '../provider.types';

/**
 * OpenAI and every OpenAI-compatible API: Chat, Responses, Embeddings and the families beyond chat (`families`: those
 * served without a channel declaring them) under a versioned base, Bearer auth.
 */
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
    private readonly families: ReadonlySet<Operation> = new Set(),
  ) {}

  protocolFor(model: string, operation: Operation, inbound: WireProtocol, declared = false): WireProtocol | null {
    if (operation === 'embed') return 'openai-embeddings';
    if (operation === 'generate') {
      const completionsOnly = this.servesResponses && COMPLETIONS_ONLY_MODEL.test(model);
      // Completions go to /completions where the model lives only there or the channel declares it; else through Chat.
      if (inbound === 'openai-completions') return declared || completionsOnly ? 'openai-completions' : 'openai-chat';
      // Any other client of such a model: OpenAI's Chat would 404 it, so its conversation goes as a Completions prompt.
      if (completionsOnly) return 'openai-completions';
      // Responses clients get Responses upstream where it exists; every other client is served through Chat Completions.
      return inbound === 'openai-responses' && this.servesResponses ? 'openai-responses' : 'openai-chat';
    }
    return declared || this.families.has(operation) ? FAMILY_PROTOCOL[operation] : null;
  }

  target(args: TargetArgs): UpstreamRequestTarget {
    const path = openAiPath(args.protocol, args.operation);
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
