import { WireProtocolSchema } from '@switchboard/contracts';

/**
 * The five wire protocols Switchboard speaks, on either side of the gateway. The names are declared once, by the usage
 * record's schema in libs/contracts (they are stored in request logs): this lib already depends on contracts, so
 * declaring them here would make contracts import protocols back.
 */
export type WireProtocol = (typeof WireProtocolSchema.options)[number];

export const WIRE_PROTOCOLS: readonly WireProtocol[] = WireProtocolSchema.options;

/** What the client asked for, independent of protocol. */
export type Operation = 'generate' | 'embed';

/**
 * Token usage in OpenAI semantics: promptTokens counts ALL input tokens, cached ones included;
 * completionTokens counts all output tokens, reasoning included.
 */
export interface Usage {
  promptTokens: number;
  completionTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  reasoningTokens: number;
}

export interface ConvertContext {
  /** Model name sent upstream (after alias resolution / channel mapping). */
  upstreamModel: string;
  /** Model name the client asked for; echoed back in converted responses. */
  requestedModel: string;
  stream: boolean;
  requestId: string;
  /** Unix seconds used for `created` fields; defaults to now. */
  createdAt?: number;
  /**
   * Optional: the client's original request body. Converters read client-side options from it
   * (OpenAI `stream_options.include_usage`, embeddings `encoding_format`, Gemini embedContent vs
   * batchEmbedContents). Without it the defaults are: usage chunk emitted, float embeddings,
   * Gemini batch embedding shape.
   */
  clientBody?: Record<string, unknown>;
}

export interface GatewayError {
  status: number;
  message: string;
  type?: string;
  code?: string;
  param?: string;
  retryAfterSeconds?: number;
}
