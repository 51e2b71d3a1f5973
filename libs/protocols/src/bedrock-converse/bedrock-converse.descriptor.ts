import type { ProtocolDescriptor } from '../registry/protocol.descriptor';
import { upstreamDialect } from '../registry/upstream-dialect';
import { encodeConverseRequest } from './bedrock-converse-request.encoder';
import { decodeConverseResponse } from './bedrock-converse-response.decoder';
import { ConverseStreamDecoder } from './bedrock-converse-stream.decoder';

/**
 * AWS Bedrock's Converse API (`/model/{id}/converse`, `/converse-stream`), an upstream-only chat protocol: the IR is
 * encoded into it and its answers decoded from it; no route serves it to clients. Its streams are AWS event streams,
 * which the bedrock provider frames as SSE (one event per frame, named by `:event-type`) for the decoder here.
 */
export const BEDROCK_CONVERSE: ProtocolDescriptor = upstreamDialect('bedrock-converse', {
  encodeRequest: (ir, ctx) => ({ ...encodeConverseRequest(ir, ctx) }),
  decodeResponse: (body) => decodeConverseResponse(body),
  streamDecoder: () => new ConverseStreamDecoder(),
});
