/** Prompt token estimate for quota reservation: real tokenizer (o200k) + per-message overhead. */
import type { IrPart, IrRequest } from '../core/ir.types';
import { asArray, isObject, type JsonObject } from '../core/json.util';
import type { WireProtocol } from '../protocol.types';
import { decodeRequest } from '../conversion/request-codecs';
import { countTextTokens } from './token-count.util';

/** OpenAI's accounting: ~3 tokens per message of framing, 3 to prime the reply. */
const PER_MESSAGE = 4;
const PRIMING = 3;
/** Fixed estimates for media the tokenizer cannot see (a high-detail image is ~765 on OpenAI). */
export const IMAGE_TOKEN_ESTIMATE = 765;
export const AUDIO_TOKEN_ESTIMATE = 500;
export const FILE_TOKEN_ESTIMATE = 1000;

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
  if (ir.system.length > 0) total += PER_MESSAGE + ir.system.reduce((n, p) => n + countTextTokens(p.text), 0);
  for (const m of ir.messages) {
    total += PER_MESSAGE;
    for (const p of m.parts) total += partTokens(p);
  }
  if (ir.tools.length > 0) total += countTextTokens(JSON.stringify(ir.tools.map((t) => ({ name: t.name, description: t.description, parameters: t.parameters }))));
  return total;
}

function partTokens(p: IrPart): number {
  switch (p.type) {
    case 'text':
    case 'refusal':
    case 'thinking':
      return countTextTokens(p.text);
    case 'image':
      return IMAGE_TOKEN_ESTIMATE;
    case 'audio':
      return AUDIO_TOKEN_ESTIMATE;
    case 'file':
      if (p.source.kind === 'base64' && p.source.mediaType.startsWith('text/')) {
        return countTextTokens(Buffer.from(p.source.data, 'base64').toString('utf8'));
      }
      return FILE_TOKEN_ESTIMATE;
    case 'tool_call':
      return countTextTokens(p.name) + countTextTokens(p.arguments);
    case 'tool_result':
      return p.content.reduce((n, c) => n + partTokens(c), PER_MESSAGE);
  }
}

function embeddingInputTokens(input: unknown): number {
  if (typeof input === 'string') return countTextTokens(input);
  const arr = asArray(input);
  if (!arr) return 0;
  let n = 0;
  for (const x of arr) {
    if (typeof x === 'string') n += countTextTokens(x);
    else if (typeof x === 'number') n += 1;
    else if (Array.isArray(x)) n += x.length;
  }
  return n;
}

/** Fallback for bodies no decoder accepts: every string except base64-looking blobs. */
function countStrings(v: unknown, depth = 0): number {
  if (depth > 32) return 0;
  if (typeof v === 'string') return v.length > 4096 && /^[A-Za-z0-9+/=\s]+$/.test(v.slice(0, 4096)) ? IMAGE_TOKEN_ESTIMATE : countTextTokens(v);
  if (Array.isArray(v)) return v.reduce((n: number, x) => n + countStrings(x, depth + 1), 0);
  if (isObject(v)) return Object.values(v as JsonObject).reduce((n: number, x) => n + countStrings(x, depth + 1), 0);
  return 0;
}
