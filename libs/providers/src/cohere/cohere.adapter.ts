import { normalizeBaseUrl, type Operation, type ProviderAdapter, type TargetArgs, type UpstreamRequestTarget, type WireProtocol } from '../provider.types';

/**
 * Cohere (api.cohere.com), Bearer auth: chat at `/v2/chat` (every client protocol converted through the IR by
 * libs/protocols/src/cohere-chat), embeddings at `/v2/embed` for OpenAI Embeddings clients (libs/protocols/src/cohere-embed),
 * rerank at `/v2/rerank` in its v2 dialect (libs/protocols/src/rerank), billed in the units it reports.
 */
export class CohereAdapter implements ProviderAdapter {
  readonly type = 'cohere';

  protocolFor(model: string, operation: Operation): WireProtocol | null {
    // Cohere names its rerank and embedding models so (`rerank-v3.5`, `embed-v4.0`): those cannot chat, and a chat
    // request (or the health probe's ping) for one is refused here rather than sent to fail upstream.
    if (operation === 'generate') return /^(rerank|embed)-/.test(model) ? null : 'cohere-chat';
    if (operation === 'embed') return 'cohere-embed';
    return operation === 'rerank' ? 'cohere-rerank' : null;
  }

  target(args: TargetArgs): UpstreamRequestTarget {
    const path = args.protocol === 'cohere-chat' ? '/v2/chat' : args.protocol === 'cohere-embed' ? '/v2/embed' : '/v2/rerank';
    return {
      protocol: args.protocol,
      url: `${normalizeBaseUrl(args.baseUrl, ['/v1', '/v2'])}${path}`,
      headers: { authorization: `Bearer ${args.apiKey}` },
    };
  }
}
