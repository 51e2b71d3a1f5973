/** How OpenAI Images calls are checked, reserved and billed: per image (size, quality) and, for GPT image models, tokens. */
import { countTextTokens } from '../accounting/token-count.util';
import { asObject, asString, objectsOf } from '../core/json.util';
import { tokenCount } from '../core/usage.map';
import { ProtocolError } from '../protocol.error';
import type { BillableUnits, Usage } from '../protocol.types';
import type { AccountedRequest, FamilyAccounting } from '../registry/protocol.descriptor';

/** OpenAI's own bound (openai-node `ImageGenerateParams.n`). */
export const MAX_IMAGES = 10;

/** `openai/gpt-image-1` → `gpt-image-1`: aggregators prefix the vendor. */
const bare = (model: string) => model.slice(model.lastIndexOf('/') + 1).toLowerCase();

/** GPT image models: token-priced, always answer `b64_json`, take `quality` low|medium|high|auto. */
export function isGptImageModel(model: string): boolean {
  return /^(gpt-image|chatgpt-image)/.test(bare(model));
}

/** `n` as sent (a number in JSON, a string in a form); undefined when absent. */
function countField(v: unknown): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  return typeof v === 'number' ? v : typeof v === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(v) ? Number(v) : NaN;
}

/** The number of images asked for: 1 unless `n` says otherwise (validated to 1..10 at the edge). */
export function imageCount(body: Record<string, unknown>): number {
  const n = countField(body.n);
  return n !== undefined && Number.isInteger(n) && n >= 1 && n <= MAX_IMAGES ? n : 1;
}

/**
 * The size and quality that price the images (the `perImageBySize` keys): the request's, else the model's defaults —
 * dall-e-3 1024x1024 standard, dall-e-2 1024x1024, GPT image `auto` → 1024x1024 medium (what `auto` mostly picks).
 */
export function pricedSizeAndQuality(body: Record<string, unknown>): Pick<BillableUnits, 'imageSize' | 'imageQuality'> {
  const model = bare(asString(body.model) ?? '');
  const size = asString(body.size);
  const quality = asString(body.quality);
  const out: Pick<BillableUnits, 'imageSize' | 'imageQuality'> = {};
  if (isGptImageModel(model)) {
    out.imageSize = !size || size === 'auto' ? '1024x1024' : size;
    out.imageQuality = !quality || quality === 'auto' ? 'medium' : quality;
  } else if (model.startsWith('dall-e-3')) {
    out.imageSize = size ?? '1024x1024';
    out.imageQuality = quality ?? 'standard';
  } else if (model.startsWith('dall-e-2')) {
    out.imageSize = size ?? '1024x1024';
  } else {
    if (size && size !== 'auto') out.imageSize = size;
    if (quality && quality !== 'auto') out.imageQuality = quality;
  }
  return out;
}

/**
 * Output image tokens of one GPT image (OpenAI's image generation guide, gpt-image-1): by quality for a square image,
 * ×1.5 for the portrait/landscape sizes, by pixels for other sizes (gpt-image-2 takes any WxH).
 */
const SQUARE_OUTPUT_TOKENS: Record<string, number> = { low: 272, medium: 1056, high: 4160 };

function outputTokensPerImage(size: string | undefined, quality: string | undefined): number {
  // `auto` (or none) may pick the largest and the best: the reservation bounds it by that.
  const square = SQUARE_OUTPUT_TOKENS[quality ?? ''] ?? SQUARE_OUTPUT_TOKENS.high;
  const m = /^(\d+)x(\d+)$/.exec(size ?? '');
  if (!m) return Math.ceil(square * 1.5);
  const pixels = Number(m[1]) * Number(m[2]);
  return Math.ceil(square * Math.max(1, pixels / (1024 * 1024)));
}

/**
 * Input image tokens of one image a GPT image edit starts from (OpenAI's pricing notes: a 1024×1024 input is about 135
 * tokens at low input fidelity, 3 050 at high; gpt-image-2 always uses high). Low is bounded at twice that, since a
 * larger input costs more and its pixels are not read here.
 */
const INPUT_IMAGE_TOKENS = { low: 270, high: 3050 };

function inputImageTokens(req: AccountedRequest): number {
  const model = bare(asString(req.body.model) ?? '');
  if (!isGptImageModel(model)) return 0;
  const images = (req.uploads ?? []).filter((u) => u.field === 'image' || u.field === 'image[]').length;
  const high = req.body.input_fidelity === 'high' || model.startsWith('gpt-image-2');
  return images * (high ? INPUT_IMAGE_TOKENS.high : INPUT_IMAGE_TOKENS.low);
}

const IMAGE_FIELDS = new Set(['image', 'image[]', 'mask']);
const IMAGE_EXTENSION = /\.(png|jpe?g|webp|gif)$/i;
const OPENAI_IMAGE_TYPES = "Supported file formats are 'image/jpeg', 'image/png', and 'image/webp'.";

/**
 * The 400s OpenAI gives before generating anything, so no reservation or upstream call is spent on them: a prompt for
 * generations and edits, `n` from 1 to 10, an image for edits and variations, and image files only.
 */
export function validateImagesRequest(req: AccountedRequest): void {
  const { body, operation } = req;
  if (operation !== 'image.variation') {
    const prompt = body.prompt;
    if (typeof prompt !== 'string' || prompt.trim() === '')
      throw new ProtocolError(typeof prompt === 'string' ? "'prompt' must not be empty." : "Missing required parameter: 'prompt'.", { param: 'prompt' });
  }
  const n = countField(body.n);
  if (n !== undefined && !(Number.isInteger(n) && n >= 1 && n <= MAX_IMAGES))
    throw new ProtocolError(`Invalid 'n': expected an integer from 1 to ${MAX_IMAGES}, got ${JSON.stringify(body.n)}.`, { param: 'n' });
  if (operation === 'image.generate') return;
  const uploads = req.uploads ?? [];
  if (!uploads.some((u) => u.field === 'image' || u.field === 'image[]'))
    throw new ProtocolError("Missing required parameter: 'image' (an image file).", { param: 'image' });
  for (const u of uploads) {
    if (!IMAGE_FIELDS.has(u.field)) continue;
    // SDKs often send `application/octet-stream` for a Buffer: the file name vouches for it then.
    const image = u.contentType.startsWith('image/') || (u.contentType === 'application/octet-stream' && IMAGE_EXTENSION.test(u.filename ?? ''));
    if (!image) {
      throw new ProtocolError(`Invalid file '${u.field.replace('[]', '')}': unsupported mimetype ('${u.contentType}'). ${OPENAI_IMAGE_TYPES}`, {
        param: u.field.replace('[]', ''),
      });
    }
  }
}

/** GPT image `usage` (input/output tokens with their image/text details) in the gateway's Usage; null when absent. */
export function usageFromImages(u: unknown): Usage | null {
  const o = asObject(u);
  if (!o) return null;
  const cached = tokenCount(asObject(o.input_tokens_details)?.cached_tokens);
  return {
    promptTokens: tokenCount(o.input_tokens),
    completionTokens: tokenCount(o.output_tokens),
    cacheReadTokens: cached,
    cacheWriteTokens: 0,
    reasoningTokens: 0,
  };
}

export const IMAGES_ACCOUNTING: FamilyAccounting = {
  estimate(req) {
    const { body } = req;
    const images = imageCount(body);
    const priced = pricedSizeAndQuality(body);
    const prompt = (typeof body.prompt === 'string' ? countTextTokens(body.prompt) : 0) + inputImageTokens(req);
    // Token-priced GPT image models bill their output image tokens: reserve the most n images can take.
    const gpt = isGptImageModel(asString(body.model) ?? '');
    const outputTokens = gpt ? images * outputTokensPerImage(asString(body.size), asString(body.quality)) : 0;
    return { promptTokens: prompt, outputTokens, units: { images, ...priced } };
  },
  measure(answer, req) {
    const images = objectsOf(answer.data).length;
    return { usage: usageFromImages(answer.usage), units: images ? { images, ...pricedSizeAndQuality(req.body) } : null };
  },
};
