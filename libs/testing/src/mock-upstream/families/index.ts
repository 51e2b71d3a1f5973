import type { FamilyRoute } from './family-route';
import { OPENAI_AUDIO_ROUTES } from './openai-audio';

/**
 * The endpoint families beyond chat, by `METHOD path` (each family one file beside this one, and one line here).
 * Requests to these paths reach the family's responder with the mock's usual auth, faults and recording.
 */
export const FAMILY_ROUTES: Readonly<Record<string, FamilyRoute>> = {
  ...OPENAI_AUDIO_ROUTES,
};

export type { FamilyContext, FamilyRoute, MockUploadedFile } from './family-route';
