/**
 * The wire protocols Switchboard speaks, on either side of the gateway, declared once: the usage record's schema
 * (libs/contracts) and the providers take them from here. This lib imports no other, so nothing can make a cycle of it.
 * The first five are the chat and embeddings protocols; the rest are the endpoint families beyond them (SPEC §8),
 * and upstream-only dialects of a family that clients never speak (`voyage-rerank`: Voyage's `top_k`/`data` rerank;
 * `cohere-rerank`: Cohere v2's, string documents only and never echoed; `cohere-chat`: Cohere's Chat v2, reached through
 * the IR from every chat protocol; `cohere-embed`: Cohere's Embed v2, for OpenAI Embeddings clients;
 * `bedrock-converse`: AWS Bedrock's Converse chat API; `kiro`: Kiro's generateAssistantResponse;
 * `vertex-embeddings`: Vertex AI's `:predict`).
 */
export const WIRE_PROTOCOLS = [
  'openai-chat',
  'openai-responses',
  'openai-embeddings',
  'anthropic',
  'gemini',
  'openai-completions',
  'openai-moderations',
  'openai-images',
  'openai-audio',
  'openai-realtime',
  'rerank',
  'voyage-rerank',
  'cohere-rerank',
  'bedrock-converse',
  'kiro',
  'cohere-chat',
  'cohere-embed',
  'vertex-embeddings',
] as const;
export type WireProtocol = (typeof WIRE_PROTOCOLS)[number];

/**
 * The largest token count a usage record carries: request_logs' token columns are Postgres `integer` (int4). Upstream
 * counts are clamped to it at extraction, so a record over it was built wrong and is dead-lettered.
 */
export const MAX_USAGE_TOKENS = 2_147_483_647;

/**
 * What the client asked for, independent of protocol: a provider serves an operation or not (capability routing), and
 * the endpoint family's accounting reads it.
 */
export const OPERATIONS = [
  'generate',
  'embed',
  'moderate',
  'rerank',
  'image.generate',
  'image.edit',
  'image.variation',
  'audio.transcribe',
  'audio.translate',
  'audio.speech',
  'realtime',
] as const;
export type Operation = (typeof OPERATIONS)[number];

/**
 * What a request is billed in besides tokens (SPEC §8 `units`): images made, seconds of audio heard, characters of
 * speech synthesised, rerank search units.
 */
export interface Units {
  images?: number;
  audioSeconds?: number;
  characters?: number;
  searchUnits?: number;
}

/** Units and what else prices them: an image's size and quality pick its price (`perImageBySize`). */
export interface BillableUnits extends Units {
  /** `1024x1024`… as the request asked (the price table's `perImageBySize` key) */
  imageSize?: string;
  /** `standard`, `hd`, `low`, `medium`, `high`… (a `quality:size` key of `perImageBySize` wins over the size alone) */
  imageQuality?: string;
}

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
  /**
   * Tool names the upstream request had to shorten (Kiro allows 64 characters), shortened → the client's; set by the
   * request encoder, read by the stream decoder so the client sees its own names.
   */
  upstreamToolNames?: Record<string, string>;
}

export interface GatewayError {
  status: number;
  message: string;
  type?: string;
  code?: string;
  param?: string;
  retryAfterSeconds?: number;
}
