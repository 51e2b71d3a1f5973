import { normalizeBaseUrl, type Operation, type ProviderAdapter, type TargetArgs, type UpstreamRequestTarget, type WireProtocol } from '../provider.types';

/** Gemini API (v1beta): the action is in the path, the key in x-goog-api-key (never ?key=, which leaks into logs). */
export class GeminiAdapter implements ProviderAdapter {
  readonly type = 'gemini';

  constructor(private readonly prefix = '') {}

  /** Chat, embeddings and image generation (Imagen `:predict` or native image output, converted from OpenAI's). */
  protocolFor(_model: string, operation: Operation): WireProtocol | null {
    return operation === 'generate' || operation === 'embed' || operation === 'image.generate' ? 'gemini' : null;
  }

  target(args: TargetArgs): UpstreamRequestTarget {
    const action = args.geminiAction ?? (args.stream ? 'streamGenerateContent' : 'generateContent');
    const query = action === 'streamGenerateContent' ? '?alt=sse' : '';
    const model = encodeURIComponent(args.model.replace(/^models\//, ''));
    return {
      protocol: 'gemini',
      url: `${normalizeBaseUrl(args.baseUrl)}${this.prefix}/v1beta/models/${model}:${action}${query}`,
      headers: { 'x-goog-api-key': args.apiKey },
    };
  }
}
