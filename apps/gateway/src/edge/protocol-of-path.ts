import type { WireProtocol } from '@switchboard/protocols';
import type { FastifyRequest } from 'fastify';
import { modelsListProtocol } from '../relay/inbound';

/** The inbound protocol a relay path speaks (null for admin, health and unknown paths). */
export function protocolOfPath(url: string): WireProtocol | null {
  const path = url.split('?')[0] ?? '';
  if (path.startsWith('/v1/chat/')) return 'openai-chat';
  if (path.startsWith('/v1/responses')) return 'openai-responses';
  if (path.startsWith('/v1/embeddings')) return 'openai-embeddings';
  if (path.startsWith('/v1/messages')) return 'anthropic';
  if (path.startsWith('/v1beta/') || /^\/v1\/models\/[^/]+:/.test(path)) return 'gemini';
  if (path.startsWith('/v1/')) return 'openai-chat';
  return null;
}

/**
 * As protocolOfPath, with what the method tells: `GET /v1/models` answers in the shape of the client that asks
 * (SPEC §4), and every `POST /v1/models/…` is a Gemini call (also `models/x/y:generateContent`, which has a slash).
 */
export function protocolOfRequest(req: Pick<FastifyRequest, 'url' | 'method' | 'headers' | 'query'>): WireProtocol | null {
  if (req.method === 'POST' && req.url.startsWith('/v1/models/')) return 'gemini';
  if (req.method === 'GET' && (req.url === '/v1/models' || req.url.startsWith('/v1/models?'))) {
    const shape = modelsListProtocol(req);
    return shape === 'openai' ? 'openai-chat' : shape;
  }
  return protocolOfPath(req.url);
}
