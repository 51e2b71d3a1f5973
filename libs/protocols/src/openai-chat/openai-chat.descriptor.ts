import type { ProtocolDescriptor } from '../registry/protocol.descriptor';

/** OpenAI Chat Completions; also the shape of `GET /v1/models` for any caller that is not recognised as another SDK. */
export const OPENAI_CHAT: ProtocolDescriptor = {
  name: 'openai-chat',
  modelIn: 'body',
  bodyRoutes: ['/v1/chat/completions'],
  operation: 'generate',
  pathRoutes: [],
  actions: {},
  ownsPath: (path) => path.startsWith('/v1/chat/'),
  streamContentType: 'text/event-stream',
  passthroughHeaders: [],
  modelList: {
    render: (ids) => ({ object: 'list', data: ids.map((id) => ({ id, object: 'model', created: 0, owned_by: 'switchboard' })) }),
  },
};
