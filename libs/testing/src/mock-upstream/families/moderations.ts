import { asArray, asRecord, asString, isRecord } from '../json.util';
import { errorReply, jsonReply, type MockReply } from '../mock-reply.types';
import { openaiError } from '../vendor-error.bodies';
import type { FamilyContext, FamilyRoute } from './family-route';

/** The 13 categories of OpenAI's moderation models, and which of them also score images (omni-moderation). */
const CATEGORIES = [
  'harassment',
  'harassment/threatening',
  'hate',
  'hate/threatening',
  'illicit',
  'illicit/violent',
  'self-harm',
  'self-harm/intent',
  'self-harm/instructions',
  'sexual',
  'sexual/minors',
  'violence',
  'violence/graphic',
] as const;
const IMAGE_CATEGORIES = new Set(['self-harm', 'self-harm/intent', 'self-harm/instructions', 'sexual', 'violence', 'violence/graphic']);

/** Keywords that flag a category (the mock's classifier). */
const KEYWORDS: [RegExp, (typeof CATEGORIES)[number][]][] = [
  [/\b(kill|hurt|attack)\b/i, ['violence', 'harassment/threatening']],
  [/\bhate\b/i, ['hate', 'harassment']],
  [/\b(gun|weapon)\b/i, ['illicit/violent', 'illicit']],
];

interface Item {
  text: string;
  image: boolean;
}

function result(item: Item) {
  const hits = new Set(KEYWORDS.filter(([re]) => re.test(item.text)).flatMap(([, cats]) => cats));
  const categories: Record<string, boolean> = {};
  const scores: Record<string, number> = {};
  const applied: Record<string, string[]> = {};
  for (const c of CATEGORIES) {
    categories[c] = hits.has(c);
    scores[c] = hits.has(c) ? 0.9731 : 0.0000123;
    const types = item.text ? ['text'] : [];
    if (item.image && IMAGE_CATEGORIES.has(c)) types.push('image');
    applied[c] = types;
  }
  return { flagged: hits.size > 0, categories, category_scores: scores, category_applied_input_types: applied };
}

/**
 * OpenAI Moderations: one result per string of `input` (one for a list of multimodal parts), flagged when the text
 * holds a keyword (kill, hurt, attack: violence; hate; gun, weapon: illicit), every category scored.
 */
function respond(ctx: FamilyContext): MockReply {
  const body = asRecord(ctx.body);
  const input = body.input;
  if (input === undefined) return errorReply(openaiError(400, "Missing required parameter: 'input'.", { param: 'input', code: 'missing_required_parameter' }));
  let items: Item[];
  if (typeof input === 'string') items = [{ text: input, image: false }];
  else if (Array.isArray(input) && input.every((x) => typeof x === 'string')) items = input.map((text) => ({ text, image: false }));
  else if (Array.isArray(input) && input.every(isRecord)) {
    const parts = asArray(input).map(asRecord);
    items = [
      {
        text: parts
          .map((p) => asString(p.text) ?? '')
          .join(' ')
          .trim(),
        image: parts.some((p) => p.type === 'image_url'),
      },
    ];
  } else return errorReply(openaiError(400, "Invalid type for 'input'.", { param: 'input', code: 'invalid_type' }));
  return jsonReply({ id: ctx.ids.next('modr-', 20), model: asString(body.model) ?? 'omni-moderation-latest', results: items.map(result) });
}

export const MODERATIONS: FamilyRoute = { vendor: 'openai', respond };
