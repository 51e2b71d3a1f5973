import type { StreamEncoder } from '../core/stream.types';
import type { WireProtocol } from '../protocol.types';
import { ProtocolError } from '../protocol.error';
import type { ChatCodecs, ProtocolDescriptor } from './protocol.descriptor';

/** The upstream half of a chat protocol's codecs: what the gateway encodes to it and decodes from it. */
export type UpstreamCodecs = Pick<ChatCodecs, 'encodeRequest' | 'streamDecoder'> & Partial<Pick<ChatCodecs, 'decodeResponse'>>;

/**
 * A protocol only the gateway speaks, to one provider (Bedrock's Converse, Cohere's Chat, Kiro, vendor rerank and
 * embedding dialects): no route, no path of its own, and no client half — asking for one is the gateway's bug, a 500.
 * With `codecs`, chat converts to it through the IR; without, a family's own converter reaches it (`streams` off).
 */
export function upstreamDialect(name: WireProtocol, codecs?: UpstreamCodecs, extra: Partial<ProtocolDescriptor> = {}): ProtocolDescriptor {
  const clientSide = (): never => {
    throw new ProtocolError(`${name} is an upstream protocol: no client speaks it`, { status: 500, type: 'server_error' });
  };
  const noClientStream: StreamEncoder = { encode: clientSide, end: clientSide, abort: clientSide };
  return {
    name,
    // Some of these name the model in their path (Bedrock, Vertex), but no client body does: the routes decide that.
    modelIn: 'body',
    bodyRoutes: [],
    pathRoutes: [],
    actions: {},
    ownsPath: () => false,
    ...(codecs
      ? {
          codecs: {
            decodeRequest: clientSide,
            encodeRequest: codecs.encodeRequest,
            decodeResponse: codecs.decodeResponse ?? clientSide,
            encodeResponse: clientSide,
            streamDecoder: codecs.streamDecoder,
            streamEncoder: () => noClientStream,
          },
        }
      : { streams: () => false }),
    streamContentType: 'text/event-stream; charset=utf-8',
    passthroughHeaders: [],
    ...extra,
  };
}
