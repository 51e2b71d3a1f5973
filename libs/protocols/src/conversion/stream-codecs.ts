/** Protocol → stream decoder / encoder factories, from the protocol registry. */
import type { StreamDecoder, StreamEncoder } from '../core/stream.types';
import type { ConvertContext, WireProtocol } from '../protocol.types';
import { ProtocolError } from '../protocol.error';
import { protocolDescriptor } from '../registry/protocol.registry';

export function createStreamDecoder(protocol: WireProtocol, ctx: ConvertContext): StreamDecoder {
  const codecs = protocolDescriptor(protocol).codecs;
  if (!codecs) throw new ProtocolError('Embeddings are not streamed', { status: 400 });
  return codecs.streamDecoder(ctx);
}

export function createStreamEncoder(protocol: WireProtocol, ctx: ConvertContext): StreamEncoder {
  const codecs = protocolDescriptor(protocol).codecs;
  if (!codecs) throw new ProtocolError('Embeddings are not streamed', { status: 400 });
  return codecs.streamEncoder(ctx);
}
