import type { ProtocolDescriptor } from '../registry/protocol.descriptor';

/**
 * Cohere Embed v2 (`POST /v2/embed`), an upstream-only embeddings dialect: OpenAI Embeddings clients convert to it
 * (cohere-embed.converter.ts, looked up by convertRequest/convertResponse); its errors (`{ id, message }`) are read by
 * the generic parser.
 */
export const COHERE_EMBED: ProtocolDescriptor = {
  name: 'cohere-embed',
  modelIn: 'body',
  bodyRoutes: [],
  pathRoutes: [],
  actions: {},
  ownsPath: () => false,
  streams: () => false,
  streamContentType: 'text/event-stream',
  passthroughHeaders: [],
};
