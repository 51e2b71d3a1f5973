import type { ProtocolDescriptor } from '../registry/protocol.descriptor';

/** OpenAI Embeddings: every call embeds. */
export const OPENAI_EMBEDDINGS: ProtocolDescriptor = {
  name: 'openai-embeddings',
  modelIn: 'body',
  bodyRoutes: [{ path: '/v1/embeddings', operation: 'embed', endpoint: 'embeddings' }],
  pathRoutes: [],
  actions: {},
  ownsPath: (path) => path.startsWith('/v1/embeddings'),
  streamContentType: 'text/event-stream',
  passthroughHeaders: [],
};
