import type { ProtocolDescriptor } from '../registry/protocol.descriptor';

/** OpenAI Realtime: a WebSocket session (`GET /v1/realtime?model=`), not a body route; errors before the upgrade are OpenAI's. */
export const OPENAI_REALTIME: ProtocolDescriptor = {
  name: 'openai-realtime',
  modelIn: 'body',
  bodyRoutes: [],
  pathRoutes: [],
  actions: {},
  ownsPath: (path) => path.startsWith('/v1/realtime'),
  streams: () => false,
  streamContentType: 'text/event-stream',
  passthroughHeaders: [],
};
