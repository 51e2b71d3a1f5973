import { decodeOpenAiChatRequest } from './openai-chat-request.decoder';
import { encodeOpenAiChatRequest } from './openai-chat-request.encoder';
import { decodeOpenAiChatResponse } from './openai-chat-response.decoder';
import { encodeOpenAiChatResponse } from './openai-chat-response.encoder';
import { OpenAiChatStreamDecoder } from './openai-chat-stream.decoder';
import { OpenAiChatStreamEncoder } from './openai-chat-stream.encoder';
import type { ProtocolDescriptor } from '../registry/protocol.descriptor';

const openAiModel = (id: string) => ({ id, object: 'model', created: 0, owned_by: 'switchboard' });

/** OpenAI Chat Completions; also the shape of `GET /v1/models` for any caller that is not recognised as another SDK. */
export const OPENAI_CHAT: ProtocolDescriptor = {
  name: 'openai-chat',
  modelIn: 'body',
  bodyRoutes: [{ path: '/v1/chat/completions', operation: 'generate', endpoint: 'chat.completions' }],
  pathRoutes: [],
  actions: {},
  ownsPath: (path) => path.startsWith('/v1/chat/'),
  codecs: {
    decodeRequest: (body) => decodeOpenAiChatRequest(body),
    encodeRequest: (ir, ctx) => ({ ...encodeOpenAiChatRequest(ir, ctx) }),
    decodeResponse: (body) => decodeOpenAiChatResponse(body),
    encodeResponse: (ir, ctx) => ({ ...encodeOpenAiChatResponse(ir, ctx) }),
    streamDecoder: () => new OpenAiChatStreamDecoder(),
    streamEncoder: (ctx) => new OpenAiChatStreamEncoder(ctx),
  },
  streamContentType: 'text/event-stream',
  passthroughHeaders: [],
  modelList: {
    render: (ids) => ({ object: 'list', data: ids.map(openAiModel) }),
    renderOne: (id) => openAiModel(id),
  },
};
