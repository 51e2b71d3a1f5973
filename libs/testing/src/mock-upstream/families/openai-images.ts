import { asNumber, asString, isRecord, type JsonRecord } from '../json.util';
import { errorReply, jsonReply, type MockReply, type StreamEvent } from '../mock-reply.types';
import { sseEvent } from '../sse.util';
import { openaiError } from '../vendor-error.bodies';
import type { FamilyContext, FamilyRoute, MockUploadedFile } from './family-route';
import { imageKind, mockPng } from './mock-image.util';

/**
 * OpenAI Images (reference §4.1): generations (JSON), edits and variations (multipart), with OpenAI's 400s. dall-e
 * answers `url` by default, GPT image models always `b64_json` with token `usage`; GPT image streams partial images.
 * A prompt containing `mock:content_policy` is refused as OpenAI's safety system refuses one.
 */

const invalid = (message: string, param: string | null = null, code: string | null = null): MockReply =>
  errorReply(openaiError(400, message, { type: 'invalid_request_error', param, code }));

const isGpt = (model: string) => /^(gpt-image|chatgpt-image)/.test(model);

/** Output image tokens per image (OpenAI's image generation guide), by quality, for 1024x1024 and the 1.5:1 sizes. */
const OUTPUT_TOKENS: Record<string, [number, number]> = { low: [272, 408], medium: [1056, 1584], high: [4160, 6240] };

function outputTokens(quality: string, size: string): number {
  const [square, wide] = OUTPUT_TOKENS[quality] ?? OUTPUT_TOKENS.medium;
  return size === '1024x1024' ? square : wide;
}

const words = (s: string) => s.split(/\s+/).filter(Boolean).length;

/** The fields an upstream reads as numbers, from JSON or a form's text. */
function num(v: unknown): number | undefined {
  return typeof v === 'string' && v.trim() !== '' ? Number(v) : asNumber(v);
}

function checkImages(files: MockUploadedFile[], body: JsonRecord, required: boolean): MockReply | undefined {
  // A rebuilt form that turned a file into text (LiteLLM #41602): OpenAI names the part.
  if (typeof body.image === 'string' || Array.isArray(body.image))
    return invalid("Invalid type for 'image[0]': expected a file, but got a string instead.", 'image[0]', 'invalid_type');
  const images = files.filter((f) => f.field === 'image' || f.field === 'image[]');
  if (required && !images.length) return invalid("Missing required parameter: 'image'.", 'image', 'missing_required_parameter');
  for (const f of [...images, ...files.filter((x) => x.field === 'mask')]) {
    const field = f.field === 'mask' ? 'mask' : 'image';
    if (!imageKind(f.bytes))
      return invalid(
        `Invalid file '${field}': unsupported mimetype ('${f.contentType || 'application/octet-stream'}'). Supported file formats are 'image/jpeg', 'image/png', and 'image/webp'.`,
        field,
        'invalid_image_file',
      );
  }
  return undefined;
}

function respond(ctx: FamilyContext, op: 'generations' | 'edits' | 'variations'): MockReply {
  const body = isRecord(ctx.body) ? ctx.body : {};
  const model = asString(body.model) ?? 'dall-e-2';
  const prompt = asString(body.prompt);
  if (op !== 'variations' && (prompt === undefined || prompt === ''))
    return invalid("Missing required parameter: 'prompt'.", 'prompt', 'missing_required_parameter');
  if (op !== 'generations') {
    const bad = checkImages(ctx.files, body, true);
    if (bad) return bad;
  }
  const n = num(body.n) ?? 1;
  const max = model === 'dall-e-3' ? 1 : 10;
  if (!Number.isInteger(n) || n < 1) return invalid(`Invalid 'n': expected an integer >= 1, but got ${String(body.n)} instead.`, 'n', 'invalid_value');
  if (n > max) return invalid(`Invalid 'n': integer above maximum value. Expected a value <= ${max}, but got ${n} instead.`, 'n', 'integer_above_max_value');
  if (prompt?.includes('mock:content_policy'))
    return invalid(
      'Your request was rejected as a result of our safety system. Your prompt may contain text that is not allowed by our safety system.',
      null,
      'content_policy_violation',
    );
  const gpt = isGpt(model);
  const size = !asString(body.size) || body.size === 'auto' ? '1024x1024' : String(body.size);
  const quality = gpt ? (!asString(body.quality) || body.quality === 'auto' ? 'medium' : String(body.quality)) : (asString(body.quality) ?? 'standard');
  const created = Math.floor(Date.now() / 1000);
  // The images an edit starts from show in what it makes, so a test can tell the upload arrived whole.
  const from = ctx.files.map((f) => `${f.field}:${f.bytes.length}`).join(',');
  const images = Array.from({ length: n }, (_, i) => mockPng(`${model}|${op}|${prompt ?? ''}|${from}|${i}`).toString('base64'));
  const inputTokens = words(prompt ?? '') + ctx.files.filter((f) => f.field !== 'mask').length * 323;
  const usageOf = (count: number) => {
    const out = count * outputTokens(quality, size);
    const text = words(prompt ?? '');
    return {
      input_tokens: inputTokens,
      input_tokens_details: { text_tokens: text, image_tokens: inputTokens - text },
      output_tokens: out,
      output_tokens_details: { image_tokens: out, text_tokens: 0 },
      total_tokens: inputTokens + out,
    };
  };
  const format = asString(body.output_format) ?? 'png';
  const background = asString(body.background) === 'transparent' ? 'transparent' : 'opaque';
  if (gpt && (body.stream === true || body.stream === 'true')) {
    const kind = op === 'edits' ? 'image_edit' : 'image_generation';
    const partials = Math.min(Math.max(num(body.partial_images) ?? 0, 0), 3);
    const meta = { background, output_format: format, quality, size, created_at: created };
    const events: StreamEvent[] = [];
    images.forEach((b64, i) => {
      for (let p = 0; p < partials; p++) {
        const type = `${kind}.partial_image`;
        events.push({ data: sseEvent({ type, b64_json: b64.slice(0, 64), partial_image_index: p, ...meta }, type), paced: true });
      }
      const type = `${kind}.completed`;
      events.push({ data: sseEvent({ type, b64_json: b64, ...meta, usage: usageOf(1) }, type), paced: i > 0 || partials > 0 });
    });
    return {
      kind: 'stream',
      contentType: 'text/event-stream; charset=utf-8',
      framing: 'sse',
      events,
      delayMs: 0,
      inStreamError: (status) => [
        sseEvent(
          { type: 'error', error: { message: 'The server had an error while processing your request.', type: 'server_error', code: String(status) } },
          'error',
        ),
      ],
    };
  }
  const url = !gpt && (asString(body.response_format) ?? 'url') === 'url';
  const data = images.map((b64, i) => {
    const d: JsonRecord = url ? { url: `https://oaidalleapiprodscus.blob.core.windows.net/private/mock/img-${created}-${i}.png?sig=mock` } : { b64_json: b64 };
    if (model === 'dall-e-3') d.revised_prompt = `A detailed rendering of: ${prompt ?? ''}`;
    return d;
  });
  if (!gpt) return jsonReply({ created, data });
  return jsonReply({ created, background, data, output_format: format, quality, size, usage: usageOf(n) });
}

const route = (op: 'generations' | 'edits' | 'variations'): FamilyRoute => ({
  vendor: 'openai',
  streams: (body) => body.stream === true || body.stream === 'true',
  respond: (ctx) => respond(ctx, op),
});

export const OPENAI_IMAGES_ROUTES: Record<string, FamilyRoute> = {
  'POST /v1/images/generations': route('generations'),
  'POST /v1/images/edits': route('edits'),
  'POST /v1/images/variations': route('variations'),
};
