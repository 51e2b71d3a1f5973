/**
 * Cohere v2's rerank dialect (api.cohere.com/v2/rerank): documents are strings only, `return_documents` is gone and
 * the answer never carries the documents (`results: [{ index, relevance_score }]`, `id`, `meta.billed_units`). A
 * client that asks for documents gets them back-filled from its own request by index (LiteLLM #38006).
 */
import { asArray, compact, isObject, type JsonObject } from '../core/json.util';
import type { ConvertContext } from '../protocol.types';
import { documentText } from './rerank.request';

export function rerankToCohereRequest(body: JsonObject, ctx: ConvertContext): JsonObject {
  return compact({
    model: ctx.upstreamModel,
    query: body.query,
    documents: Array.isArray(body.documents) ? body.documents.map((d) => documentText(d) ?? '') : body.documents,
    top_n: body.top_n ?? undefined,
    max_tokens_per_doc: typeof body.max_tokens_per_doc === 'number' ? body.max_tokens_per_doc : undefined,
  });
}

export function cohereToRerankResponse(body: JsonObject, ctx: ConvertContext): JsonObject {
  const asked = ctx.clientBody?.return_documents === true;
  const sent = Array.isArray(ctx.clientBody?.documents) ? ctx.clientBody.documents : [];
  const results = (asArray(body.results) ?? []).filter(isObject).map((r) => {
    const text = asked && typeof r.index === 'number' ? documentText(sent[r.index]) : undefined;
    return text === undefined
      ? { index: r.index, relevance_score: r.relevance_score }
      : { index: r.index, relevance_score: r.relevance_score, document: { text } };
  });
  return compact({ id: body.id ?? ctx.requestId, results, meta: body.meta ?? undefined });
}
