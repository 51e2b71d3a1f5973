/**
 * Voyage's rerank dialect (api.voyageai.com/v1/rerank): `top_k` for `top_n`, string documents only, and the answer
 * under `data` with `usage.total_tokens` — converted to and from the Cohere/Jina shape clients speak.
 */
import { asArray, asObject, compact, isObject, type JsonObject } from '../core/json.util';
import type { ConvertContext } from '../protocol.types';
import { documentText } from './rerank.request';

export function rerankToVoyageRequest(body: JsonObject, ctx: ConvertContext): JsonObject {
  return compact({
    model: ctx.upstreamModel,
    query: body.query,
    documents: Array.isArray(body.documents) ? body.documents.map((d) => documentText(d) ?? '') : body.documents,
    top_k: body.top_n ?? undefined,
    return_documents: typeof body.return_documents === 'boolean' ? body.return_documents : undefined,
    // Voyage-only: truncation (default true) may be set by clients that know they talk to Voyage
    truncation: typeof body.truncation === 'boolean' ? body.truncation : undefined,
  });
}

export function voyageToRerankResponse(body: JsonObject, ctx: ConvertContext): JsonObject {
  const results = (asArray(body.data) ?? []).filter(isObject).map((r) => {
    const text = documentText(r.document);
    // `document` is omitted, never null, when Voyage did not return it (LiteLLM's model 500s on null).
    return text === undefined
      ? { index: r.index, relevance_score: r.relevance_score }
      : { index: r.index, relevance_score: r.relevance_score, document: { text } };
  });
  const usage = asObject(body.usage);
  return compact({ id: ctx.requestId, results, usage: usage ? { total_tokens: usage.total_tokens } : undefined });
}
