import type { StreamEncoder } from '../core/stream.types';
import { ProtocolError } from '../protocol.error';
import type { ProtocolDescriptor } from '../registry/protocol.descriptor';
import { encodeCohereChatRequest } from './cohere-chat-request.encoder';
import { decodeCohereChatResponse } from './cohere-chat-response.decoder';
import { CohereChatStreamDecoder } from './cohere-chat-stream.decoder';

/** No route speaks Cohere to clients, so nothing should ever ask for the client half of these codecs. */
const clientSide = (): never => {
  throw new ProtocolError('cohere-chat is an upstream protocol: no client speaks it', { status: 500, type: 'server_error' });
};
const NO_CLIENT_STREAM: StreamEncoder = { encode: clientSide, end: clientSide, abort: clientSide };

/**
 * Cohere Chat v2 (`POST /v2/chat`), an upstream-only chat protocol: every client protocol converts to it through the
 * IR (request) and back from it (answer and stream). Its errors (`{ id, message }`) are read by the generic parser.
 */
export const COHERE_CHAT: ProtocolDescriptor = {
  name: 'cohere-chat',
  modelIn: 'body',
  bodyRoutes: [],
  pathRoutes: [],
  actions: {},
  ownsPath: () => false,
  codecs: {
    decodeRequest: clientSide,
    encodeRequest: (ir, ctx) => ({ ...encodeCohereChatRequest(ir, ctx) }),
    decodeResponse: (body) => decodeCohereChatResponse(body),
    encodeResponse: clientSide,
    streamDecoder: () => new CohereChatStreamDecoder(),
    streamEncoder: () => NO_CLIENT_STREAM,
  },
  streamContentType: 'text/event-stream',
  passthroughHeaders: [],
};
