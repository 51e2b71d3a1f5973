import { normalizeBaseUrl, type Operation, type ProviderAdapter, type TargetArgs, type UpstreamRequestTarget, type WireProtocol } from '../provider.types';

/**
 * Jina AI (api.jina.ai): rerank at `/v1/rerank` in the shape clients speak (usage in `total_tokens`), Bearer auth.
 * Its embeddings are OpenAI-shaped (`/v1/embeddings`); chat it has none.
 */
export class JinaAdapter implements ProviderAdapter {
  readonly type = 'jina';

  protocolFor(_model: string, operation: Operation): WireProtocol | null {
    if (operation === 'rerank') return 'rerank';
    return operation === 'embed' ? 'openai-embeddings' : null;
  }

  target(args: TargetArgs): UpstreamRequestTarget {
    const path = args.protocol === 'openai-embeddings' ? '/v1/embeddings' : '/v1/rerank';
    return { protocol: args.protocol, url: `${normalizeBaseUrl(args.baseUrl)}${path}`, headers: { authorization: `Bearer ${args.apiKey}` } };
  }
}
