import type { ProtocolDescriptor } from '../registry/protocol.descriptor';

/** Rerank in the Cohere/Jina shape peers expose: `{ model, query, documents, top_n? }` → `{ results: [...] }`. */
export const RERANK: ProtocolDescriptor = {
  name: 'rerank',
  modelIn: 'body',
  bodyRoutes: [{ path: '/v1/rerank', operation: 'rerank', endpoint: 'rerank' }],
  pathRoutes: [],
  actions: {},
  ownsPath: (path) => path.startsWith('/v1/rerank'),
  streams: () => false,
  streamContentType: 'text/event-stream',
  passthroughHeaders: [],
};
