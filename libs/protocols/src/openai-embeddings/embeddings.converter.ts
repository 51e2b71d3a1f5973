/** OpenAI Embeddings ↔ Gemini embedContent / batchEmbedContents (requests and responses). */
import { asArray, asNumber, asObject, asString, field, isObject, objectsOf, type JsonObject } from '../core/json.util';
import type { ConvertContext } from '../protocol.types';
import { ProtocolError } from '../protocol.error';
import { countTextTokens } from '../accounting/token-count.util';
import { base64ToFloats, floatsToBase64 } from './embedding-vector.util';
import type {
  GeminiBatchEmbedRequest,
  GeminiBatchEmbedResponse,
  GeminiEmbedContentResponse,
  OpenAiEmbeddingsRequest,
  OpenAiEmbeddingsResponse,
} from './openai-embeddings.types';

export function openAiInputs(body: JsonObject): string[] {
  const input = body['input'];
  if (typeof input === 'string') return [input];
  const arr = asArray(input);
  if (arr && arr.every((x) => typeof x === 'string')) return arr;
  if (arr) throw new ProtocolError('Token-array inputs cannot be sent to a Gemini embedding model; send text', { param: 'input' });
  throw new ProtocolError("'input' must be a string or an array of strings", { param: 'input' });
}

export function geminiTexts(content: unknown): string {
  return objectsOf(asObject(content)?.['parts'])
    .map((p) => asString(p['text']) ?? '')
    .join('\n');
}

/** Always the batch form: js-genai uses :batchEmbedContents; the caller posts to that path. */
export function openAiEmbeddingsToGeminiRequest(body: JsonObject, ctx: ConvertContext): GeminiBatchEmbedRequest {
  const dims = asNumber(body['dimensions']);
  const model = ctx.upstreamModel.startsWith('models/') ? ctx.upstreamModel : `models/${ctx.upstreamModel}`;
  return {
    requests: openAiInputs(body).map((text) => ({
      model,
      content: { parts: [{ text }] },
      ...(dims !== undefined ? { outputDimensionality: dims } : {}),
    })),
  };
}

export function geminiToOpenAiEmbeddingsRequest(body: JsonObject, ctx: ConvertContext): OpenAiEmbeddingsRequest {
  const requests = objectsOf(body['requests']);
  const items = requests.length > 0 ? requests : [body];
  if (!requests.length && !isObject(body['content'])) throw new ProtocolError('content is required', { param: 'content' });
  const input = items.map((r) => geminiTexts(r['content']));
  const dims = asNumber(field(items[0], 'outputDimensionality'));
  return {
    model: ctx.upstreamModel,
    input: requests.length > 0 ? input : input[0],
    encoding_format: 'float', // Gemini clients want floats; never let the default flip to base64
    ...(dims !== undefined ? { dimensions: dims } : {}),
  };
}

function vectorOf(v: unknown): number[] {
  if (typeof v === 'string') return base64ToFloats(v);
  return (asArray(v) ?? []).filter((x): x is number => typeof x === 'number');
}

export function geminiToOpenAiEmbeddingsResponse(body: JsonObject, ctx: ConvertContext): OpenAiEmbeddingsResponse {
  const single = asObject(body['embedding']);
  const list = single ? [single] : objectsOf(body['embeddings']);
  const base64 = ctx.clientBody?.['encoding_format'] === 'base64';
  const clientInput = ctx.clientBody?.['input'];
  const texts = typeof clientInput === 'string' ? [clientInput] : (asArray(clientInput) ?? []).filter((x): x is string => typeof x === 'string');
  const promptTokens = texts.reduce((n, t) => n + countTextTokens(t), 0);
  return {
    object: 'list',
    data: list.map((e, index) => {
      const values = vectorOf(e['values']);
      return { object: 'embedding', index, embedding: base64 ? floatsToBase64(values) : values };
    }),
    model: ctx.requestedModel,
    usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
  };
}

export function openAiToGeminiEmbeddingsResponse(body: JsonObject, ctx: ConvertContext): GeminiEmbedContentResponse | GeminiBatchEmbedResponse {
  const data = objectsOf(body['data']).sort((a, b) => (asNumber(a['index']) ?? 0) - (asNumber(b['index']) ?? 0));
  const vectors = data.map((d) => ({ values: vectorOf(d['embedding']) }));
  const wantsSingle = !!ctx.clientBody && isObject(ctx.clientBody['content']) && !Array.isArray(ctx.clientBody['requests']);
  if (wantsSingle) return { embedding: vectors[0] ?? { values: [] } };
  return { embeddings: vectors };
}
