import { asNumber, asObject } from '../core/json.util';
import { countTextTokens } from '../accounting/token-count.util';
import type { AccountedRequest, FamilyAccounting } from '../registry/protocol.descriptor';
import type { Usage } from '../protocol.types';
import { documentTexts } from './rerank.request';

/** Cohere: "a single search unit is one query with up to 100 documents to be ranked" (cohere.com/pricing). */
export const DOCUMENTS_PER_SEARCH_UNIT = 100;
/**
 * Cohere: a document longer than this many tokens (the query's included) is split into chunks, each counted as a
 * document. Counted here with our tokenizer: an estimate where Cohere does not report its billed units.
 */
export const CHUNK_TOKENS = 500;

/** Tokens of the query and of each document, counted once for both rules below. */
function lengths(body: Record<string, unknown>): { query: number; docs: number[] } {
  const query = typeof body.query === 'string' ? countTextTokens(body.query) : 0;
  return { query, docs: documentTexts(body).map(countTextTokens) };
}

/** Search units by Cohere's rule: chunks of ≤ CHUNK_TOKENS per document, one unit per ≤ 100 of them (at least one). */
export function searchUnitsOf(body: Record<string, unknown>): number {
  const { query, docs } = lengths(body);
  if (!docs.length) return 0;
  const chunks = docs.reduce((n, d) => n + Math.max(1, Math.ceil((query + d) / CHUNK_TOKENS)), 0);
  return Math.ceil(chunks / DOCUMENTS_PER_SEARCH_UNIT);
}

/** Input tokens as token-priced rerankers count them (Jina, Voyage): the query read with each document. */
export function rerankInputTokens(body: Record<string, unknown>): number {
  const { query, docs } = lengths(body);
  return docs.reduce((n, d) => n + query + d, 0);
}

const tokens = (promptTokens: number): Usage => ({ promptTokens, completionTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 });
const count = (v: unknown): number | undefined => {
  const n = asNumber(v);
  return n !== undefined && Number.isFinite(n) && n >= 0 ? Math.round(n) : undefined;
};

/** The input tokens an answer reports: Jina/Voyage `usage`, else Cohere-style `meta.billed_units` or `meta.tokens`. */
function reportedTokens(answer: Record<string, unknown>): number | undefined {
  const usage = asObject(answer.usage);
  const meta = asObject(answer.meta);
  return (
    count(usage?.prompt_tokens) ??
    count(usage?.total_tokens) ??
    count(asObject(meta?.billed_units)?.total_tokens) ??
    count(asObject(meta?.tokens)?.input_tokens)
  );
}

/**
 * Search units (Cohere's billed ones when reported, else Cohere's rule on the request) and input tokens when the
 * upstream reports them; the reservation takes the same rule and counts the tokens (SPEC §6: no overdraw).
 */
export const RERANK_ACCOUNTING: FamilyAccounting = {
  estimate(req: AccountedRequest) {
    return { promptTokens: rerankInputTokens(req.body), outputTokens: 0, units: { searchUnits: searchUnitsOf(req.body) } };
  },
  measure(answer: Record<string, unknown>, req: AccountedRequest) {
    const billed = count(asObject(asObject(answer.meta)?.billed_units)?.search_units);
    const reported = reportedTokens(answer);
    return { usage: reported === undefined ? null : tokens(reported), units: { searchUnits: billed ?? searchUnitsOf(req.body) } };
  },
};
