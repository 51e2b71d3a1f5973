/**
 * OpenAI Images generations ↔ Gemini: Imagen models through `:predict`, Gemini's native image output through
 * `:generateContent` (responseModalities TEXT+IMAGE). Answers come back in OpenAI's shape; Gemini only returns bytes,
 * so a client asking `response_format: "url"` gets a `data:` URL.
 */
import { asNumber, asObject, asString, objectsOf, type JsonObject } from '../core/json.util';
import { tokenCount } from '../core/usage.map';
import type { ConvertContext } from '../protocol.types';
import { ProtocolError } from '../protocol.error';
import { imageCount } from './images.accounting';
import type { GeminiImageRequest, ImagenPredictRequest, OpenAiImageDatum, OpenAiImagesResponse } from './openai-images.types';

/** Imagen models answer `:predict`; every other Gemini model makes images through `:generateContent`. */
export function geminiImageAction(model: string): 'predict' | 'generateContent' {
  return /^imagen/i.test(model.slice(model.lastIndexOf('/') + 1)) ? 'predict' : 'generateContent';
}

/** The aspect ratios each accepts (reference §6.1, §6.2). */
const IMAGEN_RATIOS = ['1:1', '3:4', '4:3', '9:16', '16:9'];
const NATIVE_RATIOS = ['1:1', '2:3', '3:2', '3:4', '4:3', '4:5', '5:4', '9:16', '16:9', '21:9'];

/** OpenAI's `WxH` → the nearest aspect ratio Gemini takes (by log ratio); none for `auto` or no size. */
export function nearestAspectRatio(size: unknown, ratios: readonly string[]): string | undefined {
  const m = /^(\d+)x(\d+)$/.exec(typeof size === 'string' ? size : '');
  if (!m || Number(m[1]) === 0 || Number(m[2]) === 0) return undefined;
  const want = Math.log(Number(m[1]) / Number(m[2]));
  let best = ratios[0];
  let bestDist = Infinity;
  for (const r of ratios) {
    const [w, h] = r.split(':').map(Number);
    const d = Math.abs(Math.log(w / h) - want);
    if (d < bestDist) [best, bestDist] = [r, d];
  }
  return best;
}

const MAX_IMAGEN_SAMPLES = 4;

const MIME_OF_FORMAT: Record<string, string> = { png: 'image/png', jpeg: 'image/jpeg', jpg: 'image/jpeg', webp: 'image/webp' };

/** Generations only: Gemini channels serve no edits or variations (the provider routes none here). */
export function openAiImagesToGeminiRequest(body: JsonObject, ctx: ConvertContext): JsonObject {
  if (body.stream === true) throw new ProtocolError('Streaming partial images is not available for a Gemini image model.', { param: 'stream' });
  const prompt = asString(body.prompt) ?? '';
  const n = imageCount(body);
  if (geminiImageAction(ctx.upstreamModel) === 'predict') {
    // Imagen's sampleCount is 1–4: say so in OpenAI's terms rather than relay Google's 400 about a field the client never sent.
    if (n > MAX_IMAGEN_SAMPLES) throw new ProtocolError(`Invalid 'n': this model makes at most ${MAX_IMAGEN_SAMPLES} images per request.`, { param: 'n' });
    const parameters: ImagenPredictRequest['parameters'] = { sampleCount: n };
    const aspectRatio = nearestAspectRatio(body.size, IMAGEN_RATIOS);
    if (aspectRatio) parameters.aspectRatio = aspectRatio;
    const mimeType = MIME_OF_FORMAT[asString(body.output_format) ?? ''];
    if (mimeType) {
      const quality = asNumber(typeof body.output_compression === 'string' ? Number(body.output_compression) : body.output_compression);
      parameters.outputOptions = mimeType === 'image/jpeg' && quality !== undefined ? { mimeType, compressionQuality: quality } : { mimeType };
    }
    const out: ImagenPredictRequest = { instances: [{ prompt }], parameters };
    return { ...out };
  }
  const generationConfig: GeminiImageRequest['generationConfig'] = { responseModalities: ['TEXT', 'IMAGE'] };
  if (n > 1) generationConfig.candidateCount = n;
  const aspectRatio = nearestAspectRatio(body.size, NATIVE_RATIOS);
  if (aspectRatio) generationConfig.imageConfig = { aspectRatio };
  const out: GeminiImageRequest = { contents: [{ role: 'user', parts: [{ text: prompt }] }], generationConfig };
  return { ...out };
}

/** One image as the client asked it: base64 (default for Gemini's bytes), or a `data:` URL for `response_format: url`. */
function datum(b64: string, mimeType: string, ctx: ConvertContext, revised?: string): OpenAiImageDatum {
  const d: OpenAiImageDatum = ctx.clientBody?.response_format === 'url' ? { url: `data:${mimeType};base64,${b64}` } : { b64_json: b64 };
  if (revised) d.revised_prompt = revised;
  return d;
}

/** Every image was held back by the safety filters: OpenAI answers that as a 400, not as an empty list. */
function refused(reason: string | undefined): ProtocolError {
  return new ProtocolError(`Your request was rejected by the safety system.${reason ? ` ${reason}` : ''}`, {
    status: 400,
    // dall-e-3's code for the same refusal (gpt-image says moderation_blocked): what OpenAI clients check for.
    type: 'content_policy_violation',
    param: 'prompt',
  });
}

export function geminiToOpenAiImagesResponse(body: JsonObject, ctx: ConvertContext): JsonObject {
  const created = Math.floor(Date.now() / 1000);
  const predictions = objectsOf(body.predictions);
  if (Array.isArray(body.predictions)) {
    // Imagen: filtered images come back as predictions with a raiFilteredReason and no bytes.
    const data = predictions.flatMap((p) => {
      const b64 = asString(p.bytesBase64Encoded);
      return b64 ? [datum(b64, asString(p.mimeType) ?? 'image/png', ctx, asString(p.prompt))] : [];
    });
    if (!data.length) throw refused(asString(predictions.find((p) => p.raiFilteredReason)?.raiFilteredReason));
    const out: OpenAiImagesResponse = { created, data };
    return { ...out };
  }
  const candidates = objectsOf(body.candidates);
  const data = candidates.flatMap((c) =>
    objectsOf(asObject(c.content)?.parts).flatMap((p) => {
      const inline = asObject(p.inlineData ?? p.inline_data);
      const b64 = asString(inline?.data);
      const mime = asString(inline?.mimeType ?? inline?.mime_type) ?? 'image/png';
      return b64 && mime.startsWith('image/') ? [datum(b64, mime, ctx)] : [];
    }),
  );
  if (!data.length) {
    const blocked = asString(asObject(body.promptFeedback)?.blockReason) ?? asString(candidates[0]?.finishReason);
    throw refused(blocked);
  }
  const out: OpenAiImagesResponse = { created, data };
  const meta = asObject(body.usageMetadata);
  if (meta) {
    // Native image models are token-priced: their usage goes to the client as GPT image usage.
    const input = tokenCount(meta.promptTokenCount);
    const output = tokenCount(meta.candidatesTokenCount);
    const byModality = (list: unknown, modality: string) => tokenCount(objectsOf(list).find((d) => d.modality === modality)?.tokenCount);
    out.usage = {
      input_tokens: input,
      output_tokens: output,
      total_tokens: input + output,
      input_tokens_details: { text_tokens: byModality(meta.promptTokensDetails, 'TEXT'), image_tokens: byModality(meta.promptTokensDetails, 'IMAGE') },
      output_tokens_details: {
        text_tokens: byModality(meta.candidatesTokensDetails, 'TEXT'),
        image_tokens: byModality(meta.candidatesTokensDetails, 'IMAGE'),
      },
    };
  }
  return { ...out };
}
