import { decodeResponsesRequest } from './openai-responses-request.decoder';
import { encodeResponsesRequest } from './openai-responses-request.encoder';
import { decodeResponsesResponse } from './openai-responses-response.decoder';
import { encodeResponsesResponse } from './openai-responses-response.encoder';
import { ResponsesStreamDecoder } from './openai-responses-stream.decoder';
import { ResponsesStreamEncoder } from './openai-responses-stream.encoder';
import type { ProtocolDescriptor } from '../registry/protocol.descriptor';

/** OpenAI Responses. */
export const OPENAI_RESPONSES: ProtocolDescriptor = {
  name: 'openai-responses',
  modelIn: 'body',
  bodyRoutes: [{ path: '/v1/responses', operation: 'generate', endpoint: 'responses' }],
  pathRoutes: [],
  actions: {},
  ownsPath: (path) => path.startsWith('/v1/responses'),
  codecs: {
    decodeRequest: (body) => decodeResponsesRequest(body),
    encodeRequest: (ir, ctx) => ({ ...encodeResponsesRequest(ir, ctx) }),
    decodeResponse: (body) => decodeResponsesResponse(body),
    encodeResponse: (ir, ctx) => ({ ...encodeResponsesResponse(ir, ctx) }),
    streamDecoder: () => new ResponsesStreamDecoder(),
    streamEncoder: (ctx) => new ResponsesStreamEncoder(ctx),
  },
  streamContentType: 'text/event-stream',
  passthroughHeaders: [],
};
