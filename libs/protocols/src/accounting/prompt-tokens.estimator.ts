/** Prompt token estimate for quota reservation: real tokenizer (o200k) + per-message overhead. */
import type { IrPart, IrRequest } from '../core/ir.types';
import { asArray, isObject } from '../core/json.util';
import type { WireProtocol } from '../protocol.types';
import { decodeRequest } from '../conversion/request-codecs';
import { promptTextTokens } from './prompt-text.cache';

/** OpenAI's accounting: ~3 tokens per message of framing, 3 to prime the reply. */
const PER_MESSAGE = 4;
const PRIMING = 3;
/** Floors for media the tokenizer cannot see, and the whole estimate when only a URL or file id is known. */
export const IMAGE_TOKEN_ESTIMATE = 765; // a high-detail 1024² image on OpenAI
export const AUDIO_TOKEN_ESTIMATE = 500;
export const FILE_TOKEN_ESTIMATE = 1000;
/** One PDF page at Anthropic's top figure: 1,500–3,000 text tokens per page plus the page image. */
export const DOCUMENT_TOKEN_ESTIMATE = 3000;
/**
 * Media held inline (base64, data URLs) is estimated from its decoded size, so a 5 MB PDF reserves like a 5 MB PDF.
 * Conservative figures (vendors count by pixels, seconds or pages; the byte size bounds those from above):
 * - images: Anthropic counts pixels / 750 and compressed images hold at least about one pixel per byte, so bytes / 750;
 *   vendors resize large images, so never more than IMAGE_TOKEN_MAX (16 Gemini tiles of 258).
 * - audio and video: Gemini counts 32 tokens per second of audio (263 per second of video); at 32 kbit/s (4 kB per
 *   second, a low bitrate) that is one token per 125 bytes.
 * - PDFs and other documents: a text page is 2–50 kB and up to 3,000 tokens on Anthropic: one token per 16 bytes.
 * Settling replaces the estimate with the upstream's count, so over-reserving costs the client nothing.
 */
export const IMAGE_BYTES_PER_TOKEN = 750;
export const IMAGE_TOKEN_MAX = 16 * 258;
export const AUDIO_BYTES_PER_TOKEN = 125;
export const DOCUMENT_BYTES_PER_TOKEN = 16;

export function estimatePromptTokens(protocol: WireProtocol, body: Record<string, unknown>): number {
  if (protocol === 'openai-embeddings') return embeddingInputTokens(body['input']);
  if (protocol === 'gemini' && (isObject(body['content']) || Array.isArray(body['requests'])) && !Array.isArray(body['contents'])) {
    return countStrings(body);
  }
  let ir: IrRequest;
  try {
    ir = decodeRequest(protocol, body);
  } catch {
    return countStrings(body);
  }
  let total = PRIMING;
  if (ir.system.length > 0) total += PER_MESSAGE + ir.system.reduce((n, p) => n + promptTextTokens(p.text), 0);
  for (const m of ir.messages) {
    total += PER_MESSAGE;
    for (const p of m.parts) total += partTokens(p);
  }
  if (ir.tools.length > 0)
    total += promptTextTokens(JSON.stringify(ir.tools.map((t) => ({ name: t.name, description: t.description, parameters: t.parameters }))));
  return total;
}

function partTokens(p: IrPart): number {
  switch (p.type) {
    case 'text':
    case 'refusal':
    case 'thinking':
      return promptTextTokens(p.text);
    case 'image':
      return p.source.kind === 'base64' ? mediaTokens(p.source.mediaType, base64Bytes(p.source.data)) : IMAGE_TOKEN_ESTIMATE;
    case 'audio':
      return mediaTokens(p.mediaType || 'audio/unknown', base64Bytes(p.data));
    case 'file':
      if (p.source.kind === 'base64' && p.source.mediaType.startsWith('text/')) {
        return promptTextTokens(Buffer.from(p.source.data, 'base64').toString('utf8'));
      }
      return p.source.kind === 'base64' ? mediaTokens(p.source.mediaType, base64Bytes(p.source.data)) : FILE_TOKEN_ESTIMATE;
    case 'tool_call':
      return promptTextTokens(p.name) + promptTextTokens(p.arguments);
    case 'tool_result':
      return p.content.reduce((n, c) => n + partTokens(c), PER_MESSAGE);
  }
}

/** Tokens of an inline media part of `bytes` decoded bytes, by its media type (see DOCUMENT_BYTES_PER_TOKEN). */
export function mediaTokens(mediaType: string, bytes: number): number {
  const type = mediaType.toLowerCase();
  if (type.startsWith('image/')) return Math.min(IMAGE_TOKEN_MAX, Math.max(IMAGE_TOKEN_ESTIMATE, Math.ceil(bytes / IMAGE_BYTES_PER_TOKEN)));
  if (type.startsWith('audio/') || type.startsWith('video/')) return Math.max(AUDIO_TOKEN_ESTIMATE, Math.ceil(bytes / AUDIO_BYTES_PER_TOKEN));
  return Math.max(DOCUMENT_TOKEN_ESTIMATE, Math.ceil(bytes / DOCUMENT_BYTES_PER_TOKEN));
}

/** Decoded size of base64 text without decoding it (padding and whitespace are not data). */
function base64Bytes(b64: string): number {
  let len = b64.length;
  while (len > 0 && b64.charCodeAt(len - 1) === 61 /* = */) len--;
  return Math.floor((len * 3) / 4);
}

function embeddingInputTokens(input: unknown): number {
  if (typeof input === 'string') return promptTextTokens(input);
  const arr = asArray(input);
  if (!arr) return 0;
  let n = 0;
  for (const x of arr) {
    if (typeof x === 'string') n += promptTextTokens(x);
    else if (typeof x === 'number') n += 1;
    else if (Array.isArray(x)) n += x.length;
  }
  return n;
}

/** Fallback for bodies no decoder accepts: every string except base64-looking blobs. */
function countStrings(v: unknown, depth = 0): number {
  if (depth > 32) return 0;
  if (typeof v === 'string') {
    return v.length > 4096 && /^[A-Za-z0-9+/=\s]+$/.test(v.slice(0, 4096)) ? mediaTokens('application/octet-stream', base64Bytes(v)) : promptTextTokens(v);
  }
  if (Array.isArray(v)) return v.reduce((n: number, x) => n + countStrings(x, depth + 1), 0);
  if (isObject(v)) return Object.values(v).reduce((n: number, x) => n + countStrings(x, depth + 1), 0);
  return 0;
}
