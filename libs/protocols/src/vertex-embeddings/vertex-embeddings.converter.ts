/** OpenAI Embeddings and Gemini embedContent / batchEmbedContents ↔ Vertex AI's embeddings (`:predict`, `:embedContent`). */
import { asNumber, asObject, asString, isObject, objectsOf, type JsonObject } from '../core/json.util';
import { countTextTokens } from '../accounting/token-count.util';
import { floatsToBase64 } from '../openai-embeddings/embedding-vector.util';
import { geminiTexts, openAiInputs } from '../openai-embeddings/embeddings.converter';
import { ProtocolError } from '../protocol.error';
import type { ConvertContext, Usage } from '../protocol.types';

/**
 * The verb a Vertex embedding model takes (js-genai's rule): Gemini embedding models after gemini-embedding-001, and
 * MaaS models, answer `:embedContent` (one content per call); text-embedding-*, text-multilingual-* and
 * gemini-embedding-001 answer `:predict` (a batch of instances).
 */
export function vertexEmbeddingVerb(model: string): 'predict' | 'embedContent' {
  const m = model.replace(/^(?:publishers\/google\/)?models\//, '');
  return (m.includes('gemini') && m !== 'gemini-embedding-001') || m.includes('maas') ? 'embedContent' : 'predict';
}

interface EmbedItem {
  text: string;
  taskType?: string;
  title?: string;
}

function vertexRequest(items: EmbedItem[], dims: number | undefined, ctx: ConvertContext): JsonObject {
  if (vertexEmbeddingVerb(ctx.upstreamModel) === 'embedContent') {
    if (items.length !== 1) {
      throw new ProtocolError(`${ctx.upstreamModel} on Vertex AI embeds one input per request; send ${items.length} requests`, { param: 'input' });
    }
    const it = items[0];
    const config: JsonObject = {
      ...(it.taskType ? { taskType: it.taskType } : {}),
      ...(it.title ? { title: it.title } : {}),
      ...(dims !== undefined ? { outputDimensionality: dims } : {}),
    };
    return { content: { role: 'user', parts: [{ text: it.text }] }, ...(Object.keys(config).length ? { embedContentConfig: config } : {}) };
  }
  return {
    instances: items.map((it) => ({ content: it.text, ...(it.taskType ? { task_type: it.taskType } : {}), ...(it.title ? { title: it.title } : {}) })),
    ...(dims !== undefined ? { parameters: { outputDimensionality: dims } } : {}),
  };
}

export function openAiEmbeddingsToVertexRequest(body: JsonObject, ctx: ConvertContext): JsonObject {
  return vertexRequest(
    openAiInputs(body).map((text) => ({ text })),
    asNumber(body['dimensions']),
    ctx,
  );
}

/** A Gemini client's embedContent (one `content`) or batchEmbedContents (`requests`), task types and titles kept. */
export function geminiToVertexEmbeddingsRequest(body: JsonObject, ctx: ConvertContext): JsonObject {
  const requests = objectsOf(body['requests']);
  const items = requests.length > 0 ? requests : [body];
  if (!items.every((r) => isObject(r['content']))) throw new ProtocolError('content is required', { param: 'content' });
  const str = (r: JsonObject, camel: string, snake: string) => asString(r[camel]) ?? asString(r[snake]);
  return vertexRequest(
    items.map((r) => ({ text: geminiTexts(r['content']), taskType: str(r, 'taskType', 'task_type'), title: str(r, 'title', 'title') })),
    asNumber(items[0]['outputDimensionality']) ?? asNumber(items[0]['output_dimensionality']),
    ctx,
  );
}

/** The vectors of either answer: `predictions[].embeddings.values` (`:predict`) or `embedding.values` (`:embedContent`). */
function vectorsOf(body: JsonObject): number[][] {
  const single = asObject(body['embedding']);
  const list = single ? [single] : objectsOf(body['predictions']).map((p) => asObject(p['embeddings']) ?? {});
  return list.map((e) => (Array.isArray(e['values']) ? e['values'].filter((x): x is number => typeof x === 'number') : []));
}

/** The input tokens Vertex reports: `statistics.token_count` per prediction, or embedContent's `usageMetadata`. */
export function vertexEmbeddingsUsage(body: JsonObject): Usage | null {
  const meta = asObject(body['usageMetadata']);
  let prompt = asNumber(meta?.['promptTokenCount']);
  if (prompt === undefined) {
    const counts = objectsOf(body['predictions']).map((p) => asNumber(asObject(asObject(p['embeddings'])?.['statistics'])?.['token_count']));
    if (counts.length === 0 || counts.some((c) => c === undefined)) return null;
    prompt = counts.reduce<number>((n, c) => n + (c ?? 0), 0);
  }
  const tokens = Number.isFinite(prompt) && prompt > 0 ? Math.floor(prompt) : 0;
  return { promptTokens: tokens, completionTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 };
}

export function vertexToOpenAiEmbeddingsResponse(body: JsonObject, ctx: ConvertContext): JsonObject {
  const base64 = ctx.clientBody?.['encoding_format'] === 'base64';
  let prompt = vertexEmbeddingsUsage(body)?.promptTokens;
  if (prompt === undefined) {
    const input = ctx.clientBody?.['input'];
    const texts = typeof input === 'string' ? [input] : Array.isArray(input) ? input.filter((x): x is string => typeof x === 'string') : [];
    prompt = texts.reduce((n, t) => n + countTextTokens(t), 0);
  }
  return {
    object: 'list',
    data: vectorsOf(body).map((values, index) => ({ object: 'embedding', index, embedding: base64 ? floatsToBase64(values) : values })),
    model: ctx.requestedModel,
    usage: { prompt_tokens: prompt, total_tokens: prompt },
  };
}

export function vertexToGeminiEmbeddingsResponse(body: JsonObject, ctx: ConvertContext): JsonObject {
  const vectors = vectorsOf(body).map((values) => ({ values }));
  const wantsSingle = !!ctx.clientBody && isObject(ctx.clientBody['content']) && !Array.isArray(ctx.clientBody['requests']);
  return wantsSingle ? { embedding: vectors[0] ?? { values: [] } } : { embeddings: vectors };
}
