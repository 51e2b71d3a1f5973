import {
  normalizeBaseUrl,
  webSocketOrigin,
  type Operation,
  type ProviderAdapter,
  type TargetArgs,
  type UpstreamRequestTarget,
  type WireProtocol,
} from '../provider.types';

export const AZURE_API_VERSION = '2024-10-21';

/** Azure OpenAI: deployment URLs (/openai/deployments/{model}/…?api-version=) and the api-key header. */
export class AzureAdapter implements ProviderAdapter {
  readonly type = 'azure';

  protocolFor(_model: string, operation: Operation, inbound: WireProtocol): WireProtocol {
    if (operation === 'embed') return 'openai-embeddings';
    if (operation === 'realtime') return 'openai-realtime';
    return inbound === 'openai-responses' ? 'openai-responses' : 'openai-chat';
  }

  target(args: TargetArgs): UpstreamRequestTarget {
    const base = normalizeBaseUrl(args.baseUrl, ['/openai']);
    const dep = encodeURIComponent(args.model);
    // Realtime is on Azure's v1 API: no api-version, the deployment as `model` (reference §7).
    if (args.protocol === 'openai-realtime') {
      return { protocol: args.protocol, url: `${webSocketOrigin(base)}/openai/v1/realtime?model=${dep}`, headers: { 'api-key': args.apiKey } };
    }
    const path =
      args.protocol === 'openai-responses'
        ? `/openai/responses`
        : args.protocol === 'openai-embeddings'
          ? `/openai/deployments/${dep}/embeddings`
          : `/openai/deployments/${dep}/chat/completions`;
    return { protocol: args.protocol, url: `${base}${path}?api-version=${AZURE_API_VERSION}`, headers: { 'api-key': args.apiKey } };
  }
}
