import type { IrStreamEvent } from '../core/ir.types';
import type { StreamEncoder } from '../core/stream.types';
import { ProtocolError } from '../protocol.error';
import type { ProtocolDescriptor } from '../registry/protocol.descriptor';
import { encodeConverseRequest } from './bedrock-converse-request.encoder';
import { decodeConverseResponse } from './bedrock-converse-response.decoder';
import { ConverseStreamDecoder } from './bedrock-converse-stream.decoder';

const upstreamOnly = (): never => {
  throw new ProtocolError('bedrock-converse is spoken to Bedrock only; no client sends or receives it');
};
const NO_CLIENT_STREAM: StreamEncoder = { encode: (_e: IrStreamEvent) => upstreamOnly(), end: upstreamOnly, abort: upstreamOnly };

/**
 * AWS Bedrock's Converse API (`/model/{id}/converse`, `/converse-stream`), an upstream-only chat protocol: the IR is
 * encoded into it and its answers decoded from it; no route serves it to clients. Its streams are AWS event streams,
 * which the bedrock provider frames as SSE (one event per frame, named by `:event-type`) for the decoder here.
 */
export const BEDROCK_CONVERSE: ProtocolDescriptor = {
  name: 'bedrock-converse',
  // The model is in the path (`/model/{id}/…`), but no client route names it: an upstream dialect has none.
  modelIn: 'body',
  bodyRoutes: [],
  pathRoutes: [],
  actions: {},
  ownsPath: () => false,
  codecs: {
    decodeRequest: upstreamOnly,
    encodeRequest: (ir, ctx) => ({ ...encodeConverseRequest(ir, ctx) }),
    decodeResponse: (body) => decodeConverseResponse(body),
    encodeResponse: upstreamOnly,
    streamDecoder: () => new ConverseStreamDecoder(),
    streamEncoder: () => NO_CLIENT_STREAM,
  },
  streamContentType: 'text/event-stream',
  passthroughHeaders: [],
};
