import { asArray, asNumber, asRecord, asString } from '../json.util';
import { errorReply, jsonReply, type MockReply } from '../mock-reply.types';
import { countWords } from '../reply-plan.builder';
import { embedVector, toNumberArray } from '../embedding.util';
import { cohereError } from '../vendor-error.bodies';
import type { FamilyContext, FamilyRoute } from './family-route';

/**
 * Cohere Embed v2 (`POST /v2/embed`): `{ model, texts, input_type, embedding_types }` → `{ id, embeddings: { float:
 * [[…]] }, texts, meta: { billed_units: { input_tokens } }, response_type: "embeddings_by_type" }`; vectors are the
 * mock's deterministic ones (1024 dimensions, or `output_dimension`), one token per word. Cohere's v3+ models refuse a
 * request without `input_type`.
 */
const TYPES = new Set(['search_document', 'search_query', 'classification', 'clustering', 'image']);

function respond(ctx: FamilyContext): MockReply {
  const b = asRecord(ctx.body);
  const bad = (message: string) => errorReply(cohereError(400, message));
  if (typeof b.model !== 'string' || !b.model) return bad('invalid request: model is required');
  if (b.model.startsWith('unknown-'))
    return errorReply(cohereError(404, `model '${b.model}' not found, make sure the correct model ID was used and that you have access to the model.`));
  const texts = asArray(b.texts);
  if (texts.length === 0 || !texts.every((t) => typeof t === 'string')) return bad('invalid request: texts must be a non-empty list of strings');
  if (!TYPES.has(asString(b.input_type) ?? '')) return bad('invalid request: valid input_type must be provided with the provided model');
  const types = asArray(b.embedding_types);
  if (types.some((t) => t !== 'float')) return bad('invalid request: the mock serves float embeddings only');
  const dims = asNumber(b.output_dimension) ?? 1024;
  return jsonReply({
    id: ctx.ids.next('', 36),
    embeddings: { float: texts.map((t) => toNumberArray(embedVector(t, dims))) },
    texts,
    meta: { api_version: { version: '2' }, billed_units: { input_tokens: texts.reduce((n, t) => n + countWords(t), 0) } },
    response_type: 'embeddings_by_type',
  });
}

export const COHERE_EMBED: FamilyRoute = { vendor: 'cohere', respond };
