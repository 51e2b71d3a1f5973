import type { ProtocolDescriptor } from '../registry/protocol.descriptor';

/** OpenAI legacy Completions (`prompt` → `choices[].text`), stream and not. */
export const OPENAI_COMPLETIONS: ProtocolDescriptor = {
  name: 'openai-completions',
  modelIn: 'body',
  bodyRoutes: [{ path: '/v1/completions', operation: 'generate', endpoint: 'completions' }],
  pathRoutes: [],
  actions: {},
  ownsPath: (path) => path === '/v1/completions' || path.startsWith('/v1/completions/'),
  streamContentType: 'text/event-stream',
  passthroughHeaders: [],
};
