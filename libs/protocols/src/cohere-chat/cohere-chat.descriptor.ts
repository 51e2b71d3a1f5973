import type { ProtocolDescriptor } from '../registry/protocol.descriptor';
import { upstreamDialect } from '../registry/upstream-dialect';
import { encodeCohereChatRequest } from './cohere-chat-request.encoder';
import { decodeCohereChatResponse } from './cohere-chat-response.decoder';
import { CohereChatStreamDecoder } from './cohere-chat-stream.decoder';

/**
 * Cohere Chat v2 (`POST /v2/chat`), an upstream-only chat protocol: every client protocol converts to it through the
 * IR (request) and back from it (answer and stream). Its errors (`{ id, message }`) are read by the generic parser.
 */
export const COHERE_CHAT: ProtocolDescriptor = upstreamDialect('cohere-chat', {
  encodeRequest: (ir, ctx) => ({ ...encodeCohereChatRequest(ir, ctx) }),
  decodeResponse: (body) => decodeCohereChatResponse(body),
  streamDecoder: () => new CohereChatStreamDecoder(),
});
