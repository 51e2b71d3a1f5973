import type { ProtocolDescriptor } from '../registry/protocol.descriptor';
import { upstreamDialect } from '../registry/upstream-dialect';
import { encodeKiroRequest } from './kiro-request.encoder';
import { KiroStreamDecoder } from './kiro-stream.decoder';

/**
 * Kiro / CodeWhisperer `generateAssistantResponse` (upstream only): requests from the IR, answers always streamed
 * (AWS event stream, framed into SSE by the kiro provider); a non-stream client gets the stream aggregated.
 */
export const KIRO: ProtocolDescriptor = upstreamDialect(
  'kiro',
  { encodeRequest: (ir, ctx) => ({ ...encodeKiroRequest(ir, ctx) }), streamDecoder: (ctx) => new KiroStreamDecoder(ctx) },
  { streamOnly: true },
);
