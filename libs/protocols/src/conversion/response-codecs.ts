/** Protocol → non-stream response decoder / encoder, from the protocol registry. */
import type { IrResponse } from '../core/ir.types';
import type { JsonObject } from '../core/json.util';
import type { ConvertContext, WireProtocol } from '../protocol.types';
import { ProtocolError } from '../protocol.error';
import { protocolDescriptor } from '../registry/protocol.registry';

export function decodeResponse(protocol: WireProtocol, body: JsonObject, ctx?: ConvertContext): IrResponse {
  const codecs = protocolDescriptor(protocol).codecs;
  if (!codecs) throw new ProtocolError('Embeddings responses have no chat form', { status: 502, type: 'server_error' });
  return codecs.decodeResponse(body, ctx);
}

export function encodeResponse(protocol: WireProtocol, ir: IrResponse, ctx: ConvertContext): JsonObject {
  const codecs = protocolDescriptor(protocol).codecs;
  if (!codecs) throw new ProtocolError('Chat responses have no embeddings form', { status: 502, type: 'server_error' });
  return codecs.encodeResponse(ir, ctx);
}
