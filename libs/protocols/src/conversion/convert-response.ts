/** convertResponse: upstream non-stream body (protocol `from`) → client body (protocol `to`). */
import { isObject } from '../core/json.util';
import { geminiToOpenAiEmbeddingsResponse, openAiToGeminiEmbeddingsResponse } from '../openai-embeddings/embeddings.converter';
import type { ConvertContext, WireProtocol } from '../protocol.types';
import { ProtocolError } from '../protocol.error';
import { protocolDescriptor } from '../registry/protocol.registry';
import { decodeResponse, encodeResponse } from './response-codecs';

export function convertResponse(from: WireProtocol, to: WireProtocol, body: Record<string, unknown>, ctx: ConvertContext): Record<string, unknown> {
  if (!isObject(body)) throw new ProtocolError('Upstream response is not a JSON object', { status: 502, type: 'server_error' });
  if (from === to) return body;
  // The client's family converts the upstream dialect's answer back (see convertRequest).
  const family = protocolDescriptor(to).conversions?.[from];
  if (family) return { ...family.response(body, ctx) };
  if (from === 'gemini' && to === 'openai-embeddings') return { ...geminiToOpenAiEmbeddingsResponse(body, ctx) };
  if (from === 'openai-embeddings' && to === 'gemini') return { ...openAiToGeminiEmbeddingsResponse(body, ctx) };
  return encodeResponse(to, decodeResponse(from, body, ctx), ctx);
}
