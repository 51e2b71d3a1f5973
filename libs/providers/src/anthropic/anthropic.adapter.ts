import { normalizeBaseUrl, type Operation, type ProviderAdapter, type TargetArgs, type UpstreamRequestTarget, type WireProtocol } from '../provider.types';

export const ANTHROPIC_VERSION = '2023-06-01';

/** Anthropic Messages: x-api-key + anthropic-version. No embeddings. */
export class AnthropicAdapter implements ProviderAdapter {
  readonly type = 'anthropic';

  protocolFor(_model: string, operation: Operation): WireProtocol | null {
    return operation === 'generate' ? 'anthropic' : null;
  }

  target(args: TargetArgs): UpstreamRequestTarget {
    return {
      protocol: 'anthropic',
      url: normalizeBaseUrl(args.baseUrl) + '/v1/messages',
      headers: { 'x-api-key': args.apiKey, 'anthropic-version': ANTHROPIC_VERSION },
    };
  }
}
