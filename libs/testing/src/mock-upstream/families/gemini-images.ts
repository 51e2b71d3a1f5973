import { asArray, asNumber, asRecord, asString, type JsonRecord } from '../json.util';
import { errorReply, jsonReply, type MockReply, type RequestContext } from '../mock-reply.types';
import { geminiError } from '../vendor-error.bodies';
import { mockPng } from './mock-image.util';

/**
 * Gemini's image makers (reference §6): Imagen through `:predict` (`predictions[].bytesBase64Encoded`, a filtered
 * image as a prediction with only `raiFilteredReason`) and native image output through `:generateContent` with
 * `responseModalities` IMAGE (inlineData parts, image tokens in usageMetadata). A prompt containing
 * `mock:content_policy` is filtered.
 */

const IMAGEN_RATIOS = new Set(['1:1', '3:4', '4:3', '9:16', '16:9']);
const NATIVE_RATIOS = new Set(['1:1', '2:3', '3:2', '3:4', '4:3', '4:5', '5:4', '9:16', '16:9', '21:9']);
const RAI_REASON =
  "Unable to show generated images. All images were filtered out because they violated Vertex AI's usage guidelines. You will not be charged for blocked images. Try rephrasing the prompt. Support codes: 39322892";

const invalid = (message: string): MockReply => errorReply(geminiError(400, message));

export function imagenPredict(ctx: RequestContext, model: string): MockReply {
  if (!/^imagen/.test(model)) return errorReply(geminiError(404, `models/${model} is not found for API version v1beta, or is not supported for predict.`));
  const body = asRecord(ctx.body);
  const instances = asArray(body.instances).map(asRecord);
  const prompt = asString(instances[0]?.prompt);
  if (!prompt) return invalid("Invalid value at 'instances[0].prompt': a prompt is required.");
  const params = asRecord(body.parameters);
  const count = asNumber(params.sampleCount) ?? 4;
  if (!Number.isInteger(count) || count < 1 || count > 4) return invalid(`Invalid sample count: ${String(params.sampleCount)}. Expected 1 to 4.`);
  const ratio = asString(params.aspectRatio) ?? '1:1';
  if (!IMAGEN_RATIOS.has(ratio)) return invalid(`Unsupported aspect ratio: ${ratio}.`);
  const mimeType = asString(asRecord(params.outputOptions).mimeType) ?? 'image/png';
  if (prompt.includes('mock:content_policy')) return jsonReply({ predictions: [{ raiFilteredReason: RAI_REASON }] });
  const predictions: JsonRecord[] = Array.from({ length: count }, (_, i) => ({
    bytesBase64Encoded: mockPng(`${model}|predict|${ratio}|${prompt}|${i}`).toString('base64'),
    mimeType,
  }));
  return jsonReply({ predictions });
}

/** Whether a generateContent request asks for images (native image output). */
export function wantsImage(body: unknown): boolean {
  const modalities = asArray(asRecord(asRecord(body).generationConfig).responseModalities);
  return modalities.some((m) => String(m).toUpperCase() === 'IMAGE');
}

export function nativeImageGenerate(ctx: RequestContext, model: string): MockReply {
  if (!/image/.test(model)) return invalid(`Model does not support the requested response modalities: image,text`);
  const body = asRecord(ctx.body);
  const parts = asArray(asRecord(asArray(body.contents)[0]).parts).map(asRecord);
  const prompt = parts.map((p) => asString(p.text) ?? '').join(' ');
  const config = asRecord(body.generationConfig);
  const ratio = asString(asRecord(config.imageConfig).aspectRatio) ?? '1:1';
  if (!NATIVE_RATIOS.has(ratio)) return invalid(`Unsupported aspect ratio: ${ratio}.`);
  const count = asNumber(config.candidateCount) ?? 1;
  const promptTokens = prompt.split(/\s+/).filter(Boolean).length;
  const usageMetadata = (image: number, text: number) => ({
    promptTokenCount: promptTokens,
    candidatesTokenCount: image + text,
    totalTokenCount: promptTokens + image + text,
    promptTokensDetails: [{ modality: 'TEXT', tokenCount: promptTokens }],
    candidatesTokensDetails: [
      { modality: 'IMAGE', tokenCount: image },
      { modality: 'TEXT', tokenCount: text },
    ],
  });
  if (prompt.includes('mock:content_policy'))
    return jsonReply({ candidates: [{ finishReason: 'IMAGE_SAFETY', index: 0 }], usageMetadata: usageMetadata(0, 0), modelVersion: model });
  const candidates = Array.from({ length: count }, (_, i) => ({
    content: {
      role: 'model',
      parts: [
        { text: `Here is ${prompt}` },
        { inlineData: { mimeType: 'image/png', data: mockPng(`${model}|generateContent|${ratio}|${prompt}|${i}`).toString('base64') } },
      ],
    },
    finishReason: 'STOP',
    index: i,
  }));
  return jsonReply({ candidates, usageMetadata: usageMetadata(1290 * count, 3 * count), modelVersion: model, responseId: ctx.ids.next('', 22) });
}
