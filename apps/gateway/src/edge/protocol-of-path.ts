import { modelListProtocolOf, pathModelProtocolOf, protocolOfPath, type WireProtocol } from '@switchboard/protocols';
import type { FastifyRequest } from 'fastify';

export { protocolOfPath };

const MODELS_GET = /^\/v1\/models(?:[/?]|$)/;

/**
 * As protocolOfPath, with what the method tells: `GET /v1/models` and `GET /v1/models/{id}` answer in the shape of the client that asks
 * (SPEC §4), and every POST under a path-model route is that protocol's call (also `models/x/y:generateContent`,
 * which has a slash).
 */
export function protocolOfRequest(req: Pick<FastifyRequest, 'url' | 'method' | 'headers' | 'query'>): WireProtocol | null {
  if (req.method === 'POST') {
    const pathModel = pathModelProtocolOf(req.url);
    if (pathModel) return pathModel;
  }
  if (req.method === 'GET' && MODELS_GET.test(req.url)) return modelListProtocolOf(req);
  return protocolOfPath(req.url);
}
