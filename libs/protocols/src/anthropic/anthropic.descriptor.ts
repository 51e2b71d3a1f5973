import { decodeAnthropicRequest } from './anthropic-request.decoder';
import { encodeAnthropicRequest } from './anthropic-request.encoder';
import { decodeAnthropicResponse } from './anthropic-response.decoder';
import { encodeAnthropicResponse } from './anthropic-response.encoder';
import { AnthropicStreamDecoder } from './anthropic-stream.decoder';
import { AnthropicStreamEncoder } from './anthropic-stream.encoder';
import type { ProtocolDescriptor } from '../registry/protocol.descriptor';

const anthropicModel = (id: string) => ({ type: 'model', id, display_name: id, created_at: '2025-01-01T00:00:00Z' });

/** Anthropic Messages: the client's API version and beta flags reach an Anthropic upstream as sent. */
export const ANTHROPIC: ProtocolDescriptor = {
  name: 'anthropic',
  modelIn: 'body',
  bodyRoutes: [{ path: '/v1/messages', operation: 'generate', endpoint: 'messages' }],
  pathRoutes: [],
  actions: {},
  ownsPath: (path) => path.startsWith('/v1/messages'),
  codecs: {
    decodeRequest: (body) => decodeAnthropicRequest(body),
    encodeRequest: (ir, ctx) => ({ ...encodeAnthropicRequest(ir, ctx) }),
    decodeResponse: (body) => decodeAnthropicResponse(body),
    encodeResponse: (ir, ctx) => ({ ...encodeAnthropicResponse(ir, ctx) }),
    streamDecoder: () => new AnthropicStreamDecoder(),
    streamEncoder: (ctx) => new AnthropicStreamEncoder(ctx),
  },
  streamContentType: 'text/event-stream; charset=utf-8',
  passthroughHeaders: ['anthropic-version', 'anthropic-beta'],
  modelList: {
    isCaller: ({ headers }) => !!(headers['anthropic-version'] || headers['x-api-key']),
    render: (ids) => {
      const data = ids.map(anthropicModel);
      return { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data[data.length - 1]?.id ?? null };
    },
    renderOne: (id) => anthropicModel(id),
  },
  countTokens: {
    route: '/v1/messages/count_tokens',
    input: (body) => body,
    answer: (tokens) => ({ input_tokens: tokens }),
  },
};
