/** convertResponse: upstream non-stream body (protocol `from`) → client body (protocol `to`). */
import { cohereEmbedToOpenAiResponse } from '../cohere-embed/cohere-embed.converter';
import { isObject } from '../core/json.util';
import { geminiToOpenAiEmbeddingsResponse, openAiToGeminiEmbeddingsResponse } from '../openai-embeddings/embeddings.converter';
import type { ConvertContext, WireProtocol } from '../protocol.types';
import { ProtocolError } from '../protocol.error';
import { protocolDescriptor } from '../registry/protocol.registry';
import { vertexToGeminiEmbeddingsResponse, vertexToOpenAiEmbeddingsResponse } from '../vertex-embeddings/vertex-embeddings.converter';
import { decodeResponse, encodeResponse } from './response-codecs';
import { NO_TRANSFORMS, transformResponse, type AnswerTransform } from './answer-transform';

/** `transforms`: changes to a chat answer over the IR (plugins); with any, a same-protocol answer goes through the IR too. */
export function convertResponse(
  from: WireProtocol,
  to: WireProtocol,
  body: Record<string, unknown>,
  ctx: ConvertContext,
  transforms: readonly AnswerTransform[] = NO_TRANSFORMS,
): Record<string, unknown> {
  if (!isObject(body)) throw new ProtocolError('Upstream response is not a JSON object', { status: 502, type: 'server_error' });
  if (transforms.length && protocolDescriptor(from).codecs && protocolDescriptor(to).codecs) {
    return encodeResponse(to, transformResponse(transforms, decodeResponse(from, body, ctx)), ctx);
  }
  if (from === to) return body;
  if (from === 'gemini' && to === 'openai-embeddings') return { ...geminiToOpenAiEmbeddingsResponse(body, ctx) };
  if (from === 'openai-embeddings' && to === 'gemini') return { ...openAiToGeminiEmbeddingsResponse(body, ctx) };
  if (from === 'cohere-embed' && to === 'openai-embeddings') return { ...cohereEmbedToOpenAiResponse(body, ctx) };
  if (from === 'vertex-embeddings' && to === 'openai-embeddings') return vertexToOpenAiEmbeddingsResponse(body, ctx);
  if (from === 'vertex-embeddings' && to === 'gemini') return vertexToGeminiEmbeddingsResponse(body, ctx);
  // A family with its own converter (images from Gemini, rerank from Voyage): the client's protocol reads that upstream.
  const conv = protocolDescriptor(to).conversions?.[from];
  if (conv) return { ...conv.response(body, ctx) };
  return encodeResponse(to, decodeResponse(from, body, ctx), ctx);
}
