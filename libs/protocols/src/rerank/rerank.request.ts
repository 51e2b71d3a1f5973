import { isObject } from '../core/json.util';
import { ProtocolError } from '../protocol.error';

/** A document's text: Cohere and Jina take a string or `{ text }` (bifrost #5258); anything else has none. */
export function documentText(d: unknown): string | undefined {
  if (typeof d === 'string') return d;
  return isObject(d) && typeof d.text === 'string' ? d.text : undefined;
}

/** The documents' texts of a body that passed validateRerankRequest (else the ones that have a text). */
export function documentTexts(body: Record<string, unknown>): string[] {
  if (!Array.isArray(body.documents)) return [];
  return body.documents.map(documentText).filter((t): t is string => t !== undefined);
}

const typeName = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v);

/**
 * The 400s of a rerank body in OpenAI's words, before anything is reserved: upstreams answer these in three different
 * shapes (Cohere's `message`, Jina's 422 `detail` list, Voyage's `detail`), and a bad body must not be billed.
 */
export function validateRerankRequest(body: Record<string, unknown>): void {
  if (body.query === undefined || body.query === null) throw new ProtocolError("Missing required parameter: 'query'.", { param: 'query' });
  if (typeof body.query !== 'string') {
    throw new ProtocolError(`Invalid type for 'query': expected a string, but got ${typeName(body.query)} instead.`, { param: 'query' });
  }
  const docs = body.documents;
  if (docs === undefined || docs === null) throw new ProtocolError("Missing required parameter: 'documents'.", { param: 'documents' });
  if (!Array.isArray(docs)) {
    throw new ProtocolError(`Invalid type for 'documents': expected an array, but got ${typeName(docs)} instead.`, { param: 'documents' });
  }
  if (docs.length === 0) throw new ProtocolError("Invalid 'documents': empty array. Expected an array with minimum length 1.", { param: 'documents' });
  const bad = docs.findIndex((d) => documentText(d) === undefined);
  if (bad >= 0) {
    throw new ProtocolError(`Invalid value for 'documents[${bad}]': expected a string or an object with a string 'text', but got ${typeName(docs[bad])}.`, {
      param: `documents[${bad}]`,
    });
  }
  const topN = body.top_n;
  if (topN !== undefined && topN !== null && !(typeof topN === 'number' && Number.isSafeInteger(topN) && topN > 0)) {
    throw new ProtocolError(`Invalid 'top_n': expected a positive integer, but got ${JSON.stringify(topN)}.`, { param: 'top_n' });
  }
}
