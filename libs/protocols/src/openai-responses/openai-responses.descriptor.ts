import type { ProtocolDescriptor } from '../registry/protocol.descriptor';

/** OpenAI Responses. */
export const OPENAI_RESPONSES: ProtocolDescriptor = {
  name: 'openai-responses',
  modelIn: 'body',
  bodyRoutes: ['/v1/responses'],
  operation: 'generate',
  pathRoutes: [],
  actions: {},
  ownsPath: (path) => path.startsWith('/v1/responses'),
  streamContentType: 'text/event-stream',
  passthroughHeaders: [],
};
