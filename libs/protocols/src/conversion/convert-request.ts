/** convertRequest: client body (protocol `from`) → upstream body (protocol `to`). */
import { openAiEmbeddingsToCohereRequest } from '../cohere-embed/cohere-embed.converter';
import { isObject, type JsonObject } from '../core/json.util';
import { geminiToOpenAiEmbeddingsRequest, openAiEmbeddingsToGeminiRequest } from '../openai-embeddings/embeddings.converter';
import type { ConvertContext, WireProtocol } from '../protocol.types';
import { ProtocolError } from '../protocol.error';
import { protocolDescriptor } from '../registry/protocol.registry';
import { geminiToVertexEmbeddingsRequest, openAiEmbeddingsToVertexRequest } from '../vertex-embeddings/vertex-embeddings.converter';
import { fixIdentityRequest } from './identity-request.fixer';
import { decodeRequest, encodeRequest } from './request-codecs';

export function convertRequest(from: WireProtocol, to: WireProtocol, body: Record<string, unknown>, ctx: ConvertContext): Record<string, unknown> {
  if (!isObject(body)) throw new ProtocolError('Request body must be a JSON object');
  if (from === 'openai-embeddings' || to === 'openai-embeddings' || to === 'vertex-embeddings') return convertEmbeddingsRequest(from, to, body, ctx);
  if (from === to) return fixIdentityRequest(from, body, ctx);
  // A family beyond chat converts through its own descriptor's conversions (one per upstream dialect), or not at all.
  const family = protocolDescriptor(from).conversions;
  if (family) {
    const conv = family[to];
    if (!conv) throw new ProtocolError(`${from} cannot be converted to ${to}`, { param: 'model' });
    return { ...conv.request(body, ctx) };
  }
  return encodeRequest(to, decodeRequest(from, body), ctx);
}

function convertEmbeddingsRequest(from: WireProtocol, to: WireProtocol, body: JsonObject, ctx: ConvertContext): JsonObject {
  if (from === to) return fixIdentityRequest(from, body, ctx);
  if (from === 'openai-embeddings' && to === 'gemini') return { ...openAiEmbeddingsToGeminiRequest(body, ctx) };
  if (from === 'gemini' && to === 'openai-embeddings') return { ...geminiToOpenAiEmbeddingsRequest(body, ctx) };
  if (from === 'openai-embeddings' && to === 'cohere-embed') return { ...openAiEmbeddingsToCohereRequest(body, ctx) };
  if (from === 'openai-embeddings' && to === 'vertex-embeddings') return openAiEmbeddingsToVertexRequest(body, ctx);
  if (from === 'gemini' && to === 'vertex-embeddings') return geminiToVertexEmbeddingsRequest(body, ctx);
  throw new ProtocolError(`Embeddings cannot be converted from ${from} to ${to}`, { param: 'model' });
}
