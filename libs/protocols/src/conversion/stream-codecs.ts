/** Protocol → stream decoder / encoder factories, from the protocol registry. */
import type { StreamDecoder, StreamEncoder } from '../core/stream.types';
import type { ConvertContext, WireProtocol } from '../protocol.types';
import { ProtocolError } from '../protocol.error';
import { protocolDescriptor } from '../registry/protocol.registry';

/** Sees each event of a family stream that reports nothing the gateway reads (so an empty stream is still caught). */
const SEEN_ONLY: StreamDecoder = { decode: () => [{ type: 'start' }], finish: () => [] };

export function createStreamDecoder(protocol: WireProtocol, ctx: ConvertContext): StreamDecoder {
  const d = protocolDescriptor(protocol);
  if (d.codecs) return d.codecs.streamDecoder(ctx);
  if (d.streamDecoder) return d.streamDecoder(ctx);
  if (d.accounting) return SEEN_ONLY;
  throw new ProtocolError('Embeddings are not streamed', { status: 400 });
}

export function createStreamEncoder(protocol: WireProtocol, ctx: ConvertContext): StreamEncoder {
  const codecs = protocolDescriptor(protocol).codecs;
  if (!codecs) throw new ProtocolError('Embeddings are not streamed', { status: 400 });
  return codecs.streamEncoder(ctx);
}
