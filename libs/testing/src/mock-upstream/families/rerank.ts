import type { IncomingHttpHeaders } from 'node:http';
import { jsonReply, type MockReply } from '../mock-reply.types';
import type { FamilyContext, FamilyRoute } from './family-route';

/**
 * Rerank as Cohere (`/v2/rerank`), Jina and OpenAI-compatible servers (`/v1/rerank`, Jina's shape: vLLM, Xinference)
 * and Voyage (`/v1/rerank`, `top_k`, answers under `data`) answer it. Scores are word overlap with the query, so tests
 * can assert the order; tokens are words. Errors are each vendor's own bodies.
 */

const words = (s: string): string[] => s.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
const textOf = (d: unknown): string | undefined =>
  typeof d === 'string' ? d : d && typeof d === 'object' && typeof (d as { text?: unknown }).text === 'string' ? (d as { text: string }).text : undefined;

interface Ranked {
  index: number;
  relevance_score: number;
  text: string;
}

/** Share of the query's distinct words found in each document (ties: the earlier document first), best first. */
function rank(query: string, texts: string[], top: unknown): Ranked[] {
  const q = new Set(words(query));
  const scored = texts.map((text, index) => {
    const d = new Set(words(text));
    const hits = [...q].filter((w) => d.has(w)).length;
    return { index, text, relevance_score: q.size ? Math.round((hits / q.size) * 1e6) / 1e6 : 0 };
  });
  scored.sort((a, b) => b.relevance_score - a.relevance_score || a.index - b.index);
  return typeof top === 'number' && top > 0 ? scored.slice(0, top) : scored;
}

/** The query read with each document, in words (what token-billed rerankers report). */
const tokensOf = (query: string, texts: string[]): number => texts.reduce((n, t) => n + words(query).length + words(t).length, 0);

const bodyOf = (ctx: FamilyContext): Record<string, unknown> => (ctx.body && typeof ctx.body === 'object' ? (ctx.body as Record<string, unknown>) : {});
const unknownModel = (m: unknown): boolean => typeof m === 'string' && m.startsWith('unknown-');

export const COHERE_RERANK: FamilyRoute = {
  vendor: 'openai',
  respond(ctx): MockReply {
    const b = bodyOf(ctx);
    const fail = (status: number, message: string) => jsonReply({ id: ctx.ids.next('', 36), message }, status);
    if (typeof b.model !== 'string') return fail(400, 'invalid request: model is required');
    if (unknownModel(b.model)) return fail(404, `model '${b.model}' not found, make sure the correct model ID was used and that you have access to the model.`);
    if (typeof b.query !== 'string' || !b.query) return fail(400, 'invalid request: query must be a non-empty string');
    if (!Array.isArray(b.documents) || b.documents.length === 0) return fail(400, 'invalid request: list of documents must not be empty');
    // v2 takes a list of strings and never echoes them (it has no return_documents)
    if (b.documents.some((d) => typeof d !== 'string')) return fail(400, 'invalid request: documents must be a list of strings');
    const texts = b.documents as string[];
    // one search unit per ≤100 documents
    return jsonReply({
      results: rank(b.query, texts, b.top_n).map(({ index, relevance_score }) => ({ index, relevance_score })),
      id: ctx.ids.next('', 36),
      meta: { api_version: { version: '2', is_experimental: false }, billed_units: { search_units: Math.ceil(texts.length / 100) } },
    });
  },
};

export const JINA_RERANK: FamilyRoute = {
  vendor: 'openai',
  respond(ctx): MockReply {
    const b = bodyOf(ctx);
    // FastAPI's validation answer: 422 with a `detail` list
    const missing = ['model', 'query', 'documents'].filter((k) => b[k] === undefined);
    if (missing.length) return jsonReply({ detail: missing.map((k) => ({ type: 'missing', loc: ['body', k], msg: 'Field required', input: null })) }, 422);
    if (unknownModel(b.model)) return jsonReply({ detail: `Model ${String(b.model)} not found` }, 404);
    const texts = Array.isArray(b.documents) ? b.documents.map(textOf) : [];
    if (!texts.length || texts.some((t) => t === undefined) || typeof b.query !== 'string')
      return jsonReply(
        { detail: [{ type: 'value_error', loc: ['body', 'documents'], msg: 'Value error, documents must be a non-empty list', input: b.documents }] },
        422,
      );
    const tokens = tokensOf(b.query, texts as string[]);
    return jsonReply({
      model: b.model,
      usage: { total_tokens: tokens, prompt_tokens: tokens },
      results: rank(b.query, texts as string[], b.top_n).map(({ index, relevance_score, text }) =>
        b.return_documents === false ? { index, relevance_score } : { index, document: { text }, relevance_score },
      ),
    });
  },
};

export const VOYAGE_RERANK: FamilyRoute = {
  vendor: 'openai',
  // Voyage's keys start `pa-`: the mock tells it from Jina and OpenAI-compatible servers on the same path by the key.
  accepts: (headers: IncomingHttpHeaders) => /^bearer\s+pa-/i.test(String(headers.authorization ?? '')),
  respond(ctx): MockReply {
    const b = bodyOf(ctx);
    const fail = (status: number, detail: string) => jsonReply({ detail }, status);
    if (unknownModel(b.model))
      return fail(400, `Model ${String(b.model)} is not supported. Supported models are ['rerank-2.5', 'rerank-2.5-lite', 'rerank-2', 'rerank-2-lite'].`);
    if (b.top_n !== undefined) return fail(400, "Request body has an unexpected field 'top_n'.");
    if (typeof b.query !== 'string' || !b.query) return fail(400, 'Query must be a non-empty string.');
    if (!Array.isArray(b.documents) || !b.documents.length || b.documents.some((d) => typeof d !== 'string'))
      return fail(400, 'Documents must be a non-empty list of strings.');
    const texts = b.documents as string[];
    return jsonReply({
      object: 'list',
      data: rank(b.query, texts, b.top_k).map(({ index, relevance_score, text }) =>
        b.return_documents === true ? { relevance_score, index, document: text } : { relevance_score, index },
      ),
      model: b.model,
      usage: { total_tokens: tokensOf(b.query, texts) },
    });
  },
};
