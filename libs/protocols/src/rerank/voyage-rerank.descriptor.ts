import type { ProtocolDescriptor } from '../registry/protocol.descriptor';

/**
 * Voyage's rerank, an upstream-only dialect: no client speaks it (no route, no path of its own); `rerank` converts to
 * it (rerank.descriptor.ts). Its errors (`{ detail }`) are read by the generic upstream error parser.
 */
export const VOYAGE_RERANK: ProtocolDescriptor = {
  name: 'voyage-rerank',
  modelIn: 'body',
  bodyRoutes: [],
  pathRoutes: [],
  actions: {},
  ownsPath: () => false,
  streams: () => false,
  streamContentType: 'text/event-stream',
  passthroughHeaders: [],
};
