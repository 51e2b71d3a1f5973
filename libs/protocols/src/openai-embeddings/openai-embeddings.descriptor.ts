import type { ProtocolDescriptor } from '../registry/protocol.descriptor';

/** OpenAI Embeddings: every call embeds. */
export const OPENAI_EMBEDDINGS: ProtocolDescriptor = {
  name: 'openai-embeddings',
  modelIn: 'body',
  bodyRoutes: ['/v1/embeddings'],
  operation: 'embed',
  pathRoutes: [],
  actions: {},
  ownsPath: (path) => path.startsWith('/v1/embeddings'),
  streamContentType: 'text/event-stream',
  passthroughHeaders: [],
};
