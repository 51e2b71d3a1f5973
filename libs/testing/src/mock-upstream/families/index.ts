import { COHERE_CHAT } from './cohere-chat';
import { COHERE_EMBED } from './cohere-embed';
import { COMPLETIONS } from './completions';
import type { FamilyRoute } from './family-route';
import { MODERATIONS } from './moderations';
import { OPENAI_IMAGES_ROUTES } from './openai-images';
import { COHERE_RERANK, JINA_RERANK, VOYAGE_RERANK } from './rerank';
import { OPENAI_AUDIO_ROUTES } from './openai-audio';

/**
 * The endpoint families beyond chat, by `METHOD path` (each family one file beside this one, and one line here).
 * Requests to these paths reach the family's responder with the mock's usual auth, faults and recording. Where vendors
 * share a path, a list: the first route whose `accepts` takes the request (none: it takes every request) answers.
 */
export const FAMILY_ROUTES: Readonly<Record<string, FamilyRoute | readonly FamilyRoute[]>> = {
  'POST /v1/completions': COMPLETIONS,
  'POST /v1/moderations': MODERATIONS,
  ...OPENAI_IMAGES_ROUTES,
  'POST /v2/rerank': COHERE_RERANK,
  'POST /v2/chat': COHERE_CHAT,
  'POST /v2/embed': COHERE_EMBED,
  'POST /v1/rerank': [VOYAGE_RERANK, JINA_RERANK],
  ...OPENAI_AUDIO_ROUTES,
};

export type { FamilyContext, FamilyRoute, MockUploadedFile } from './family-route';
