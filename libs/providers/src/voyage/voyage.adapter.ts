import { normalizeBaseUrl, type Operation, type ProviderAdapter, type TargetArgs, type UpstreamRequestTarget, type WireProtocol } from '../provider.types';

/**
 * Voyage AI (api.voyageai.com): rerank at `/v1/rerank` in its own dialect (`top_k`, answers under `data`), converted
 * by the rerank family (libs/protocols/src/rerank); Bearer auth. Only rerank for now: its embeddings take
 * `input_type`/`output_dimension` and answer without OpenAI's `object` fields, a dialect of their own.
 */
export class VoyageAdapter implements ProviderAdapter {
  readonly type = 'voyage';

  protocolFor(_model: string, operation: Operation): WireProtocol | null {
    return operation === 'rerank' ? 'voyage-rerank' : null;
  }

  target(args: TargetArgs): UpstreamRequestTarget {
    return { protocol: args.protocol, url: `${normalizeBaseUrl(args.baseUrl)}/v1/rerank`, headers: { authorization: `Bearer ${args.apiKey}` } };
  }
}
