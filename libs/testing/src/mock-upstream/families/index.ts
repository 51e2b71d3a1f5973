import { COMPLETIONS } from './completions';
import type { FamilyRoute } from './family-route';
import { MODERATIONS } from './moderations';
import { OPENAI_IMAGES_ROUTES } from './openai-images';

/**
 * The endpoint families beyond chat, by `METHOD path` (each family one file beside this one, and one line here).
 * Requests to these paths reach the family's responder with the mock's usual auth, faults and recording.
 */
export const FAMILY_ROUTES: Readonly<Record<string, FamilyRoute>> = {
  'POST /v1/completions': COMPLETIONS,
  'POST /v1/moderations': MODERATIONS,
  ...OPENAI_IMAGES_ROUTES,
};

export type { FamilyContext, FamilyRoute, MockUploadedFile } from './family-route';
