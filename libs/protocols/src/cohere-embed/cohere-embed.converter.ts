/** OpenAI Embeddings ↔ Cohere Embed v2 (`POST /v2/embed`), names from cohere-ai/cohere-typescript's V2EmbedRequest. */
import { asArray, asNumber, asObject, type JsonObject } from '../core/json.util';
import { tokenCount } from '../core/usage.map';
import { floatsToBase64 } from '../openai-embeddings/embedding-vector.util';
import type { OpenAiEmbeddingsResponse } from '../openai-embeddings/openai-embeddings.types';
import { ProtocolError } from '../protocol.error';
import type { ConvertContext, Usage } from '../protocol.types';

export interface CohereEmbedRequest {
  model: string;
  texts: string[];
  /** required by v3+ models; OpenAI clients say nothing of it (a channel's paramOverride may set search_query…) */
  input_type: 'search_document' | 'search_query' | 'classification' | 'clustering';
  embedding_types: ['float'];
  output_dimension?: number;
}

export function openAiEmbeddingsToCohereRequest(body: JsonObject, ctx: ConvertContext): CohereEmbedRequest {
  const input = body['input'];
  const texts = typeof input === 'string' ? [input] : asArray(input);
  if (!texts) throw new ProtocolError("'input' must be a string or an array of strings", { param: 'input' });
  if (!texts.every((t): t is string => typeof t === 'string'))
    throw new ProtocolError('Token-array inputs cannot be sent to a Cohere embedding model; send text', { param: 'input' });
  const dims = asNumber(body['dimensions']);
  // Floats always: a base64 client gets them packed here, as OpenAI packs its own (Cohere's base64 is another format).
  return {
    model: ctx.upstreamModel,
    texts,
    input_type: 'search_document',
    embedding_types: ['float'],
    ...(dims !== undefined ? { output_dimension: dims } : {}),
  };
}

/** `meta.billed_units.input_tokens`: what Cohere bills for the texts. */
export function usageFromCohereEmbed(body: JsonObject): Usage | null {
  const billed = asObject(asObject(body['meta'])?.['billed_units']);
  if (!billed) return null;
  return { promptTokens: tokenCount(billed['input_tokens']), completionTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 };
}

/** `{ embeddings: { float: [[…]] }, meta }` (embeddings_by_type) → OpenAI's list, in the encoding the client asked for. */
export function cohereEmbedToOpenAiResponse(body: JsonObject, ctx: ConvertContext): OpenAiEmbeddingsResponse {
  const floats = asArray(asObject(body['embeddings'])?.['float']) ?? asArray(body['embeddings']) ?? [];
  const base64 = ctx.clientBody?.['encoding_format'] === 'base64';
  const prompt = usageFromCohereEmbed(body)?.promptTokens ?? 0;
  return {
    object: 'list',
    data: floats.map((v, index) => {
      const values = (asArray(v) ?? []).filter((x): x is number => typeof x === 'number');
      return { object: 'embedding', index, embedding: base64 ? floatsToBase64(values) : values };
    }),
    model: ctx.requestedModel,
    usage: { prompt_tokens: prompt, total_tokens: prompt },
  };
}
