import { COMPLETIONS_ONLY_MODEL, FAMILY_PROTOCOL, openAiPath } from '../openai/openai-endpoints';
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

const AZURE_FAMILIES: ReadonlySet<Operation> = new Set<Operation>([
  'image.generate',
  'image.edit',
  'audio.transcribe',
  'audio.translate',
  'audio.speech',
  'realtime',
]);

/** Azure OpenAI: deployment URLs (/openai/deployments/{model}/…?api-version=) and the api-key header. */
export class AzureAdapter implements ProviderAdapter {
  readonly type = 'azure';

  protocolFor(model: string, operation: Operation, inbound: WireProtocol, declared = false): WireProtocol | null {
    if (operation === 'embed') return 'openai-embeddings';
    if (operation === 'generate') {
      if (inbound === 'openai-completions') return declared || COMPLETIONS_ONLY_MODEL.test(model) ? 'openai-completions' : 'openai-chat';
      return inbound === 'openai-responses' ? 'openai-responses' : 'openai-chat';
    }
    // Azure has no moderations endpoint (its content filter runs on every call) and no rerank.
    return declared || AZURE_FAMILIES.has(operation) ? FAMILY_PROTOCOL[operation] : null;
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
        : `/openai/deployments/${dep}${openAiPath(args.protocol, args.operation) ?? '/chat/completions'}`;
    return { protocol: args.protocol, url: `${base}${path}?api-version=${AZURE_API_VERSION}`, headers: { 'api-key': args.apiKey } };
  }
}
