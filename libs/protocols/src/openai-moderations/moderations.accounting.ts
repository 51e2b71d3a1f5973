/**
 * OpenAI Moderations: validation and accounting. OpenAI reports no tokens for a moderation, yet each input counts
 * toward the key's TPM: its text is counted with our tokenizer (images at the chat estimate's figure). No units, no
 * output; the cost is zero unless an admin prices the model per token or per request.
 */
import { countTextTokens } from '../accounting/token-count.util';
import { IMAGE_TOKEN_ESTIMATE } from '../accounting/prompt-tokens.estimator';
import { asObject, isObject } from '../core/json.util';
import { usageFromOpenAiChat } from '../core/usage.map';
import { ProtocolError } from '../protocol.error';
import type { Usage } from '../protocol.types';
import type { AccountedRequest, FamilyAccounting } from '../registry/protocol.descriptor';

/** What OpenAI answers for a moderation without a model (the SDK makes `model` optional). */
export const DEFAULT_MODERATION_MODEL = 'omni-moderation-latest';

const BAD_INPUT = "Invalid type for 'input': expected a string, an array of strings, or an array of text and image_url parts.";

/** `input` is required and one of OpenAI's three shapes; an absent `model` is OpenAI's default, named for routing and pricing. */
export function validateModeration(body: Record<string, unknown>): void {
  const input = body['input'];
  if (input === undefined || input === null) throw new ProtocolError("Missing required parameter: 'input'.", { param: 'input' });
  if (typeof input !== 'string') {
    if (!Array.isArray(input)) throw new ProtocolError(BAD_INPUT, { param: 'input' });
    const strings = input.every((x) => typeof x === 'string');
    const parts = input.every((x) => isObject(x) && (x['type'] === 'text' || x['type'] === 'image_url'));
    if (!strings && !parts) throw new ProtocolError(BAD_INPUT, { param: 'input' });
  }
  if (body['model'] === undefined || body['model'] === null) body['model'] = DEFAULT_MODERATION_MODEL;
}

/** The input's tokens: every string, each text part, a fixed figure per image. */
export function moderationInputTokens(input: unknown): number {
  if (typeof input === 'string') return countTextTokens(input);
  if (!Array.isArray(input)) return 0;
  let n = 0;
  for (const x of input) {
    if (typeof x === 'string') n += countTextTokens(x);
    else if (isObject(x) && x['type'] === 'text' && typeof x['text'] === 'string') n += countTextTokens(x['text']);
    else if (isObject(x) && x['type'] === 'image_url') n += IMAGE_TOKEN_ESTIMATE;
  }
  return n;
}

const counted = (req: AccountedRequest): Usage => ({
  promptTokens: moderationInputTokens(req.body['input']),
  completionTokens: 0,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  reasoningTokens: 0,
});

export const MODERATIONS_ACCOUNTING: FamilyAccounting = {
  estimate: (req) => ({ promptTokens: moderationInputTokens(req.body['input']), outputTokens: 0, units: null }),
  // An OpenAI-compatible upstream that reports usage is believed; OpenAI's own answer has none.
  measure: (answer, req) => ({ usage: usageFromOpenAiChat(asObject(answer['usage'])) ?? counted(req), units: null }),
};
