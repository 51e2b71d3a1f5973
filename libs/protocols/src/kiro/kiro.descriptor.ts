import { ProtocolError } from '../protocol.error';
import type { ProtocolDescriptor } from '../registry/protocol.descriptor';
import { encodeKiroRequest } from './kiro-request.encoder';
import { KiroStreamDecoder } from './kiro-stream.decoder';

const upstreamOnly = (): never => {
  throw new ProtocolError('kiro is an upstream protocol: no client speaks it', { status: 500, type: 'server_error' });
};

/**
 * Kiro / CodeWhisperer `generateAssistantResponse` (upstream only): requests from the IR, answers always streamed
 * (AWS event stream, framed into SSE by the kiro provider); a non-stream client gets the stream aggregated.
 */
export const KIRO: ProtocolDescriptor = {
  name: 'kiro',
  modelIn: 'body',
  bodyRoutes: [],
  pathRoutes: [],
  actions: {},
  ownsPath: () => false,
  streamOnly: true,
  codecs: {
    decodeRequest: upstreamOnly,
    encodeRequest: (ir, ctx) => ({ ...encodeKiroRequest(ir, ctx) }),
    decodeResponse: upstreamOnly,
    encodeResponse: upstreamOnly,
    streamDecoder: (ctx) => new KiroStreamDecoder(ctx),
    streamEncoder: upstreamOnly,
  },
  // no client reads it: the invariant every descriptor keeps
  streamContentType: 'text/event-stream; charset=utf-8',
  passthroughHeaders: [],
};
