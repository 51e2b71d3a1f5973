import { normalizeBaseUrl, type Operation, type ProviderAdapter, type TargetArgs, type UpstreamRequestTarget, type WireProtocol } from '../provider.types';

/**
 * Cohere (api.cohere.com): rerank at `/v2/rerank` in its v2 dialect (converted by libs/protocols/src/rerank), Bearer
 * auth, billed in the search units it reports (`meta.billed_units`). Only rerank for now: Cohere's chat and embed APIs are their own protocols (another
 * issue), so every other operation is refused here and routed elsewhere.
 */
export class CohereAdapter implements ProviderAdapter {
  readonly type = 'cohere';

  protocolFor(_model: string, operation: Operation): WireProtocol | null {
    return operation === 'rerank' ? 'cohere-rerank' : null;
  }

  target(args: TargetArgs): UpstreamRequestTarget {
    return {
      protocol: args.protocol,
      url: `${normalizeBaseUrl(args.baseUrl, ['/v1', '/v2'])}/v2/rerank`,
      headers: { authorization: `Bearer ${args.apiKey}` },
    };
  }
}
