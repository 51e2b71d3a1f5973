/** Protocol → request decoder / encoder, from the protocol registry. */
import type { IrRequest } from '../core/ir.types';
import type { JsonObject } from '../core/json.util';
import type { ConvertContext, WireProtocol } from '../protocol.types';
import { ProtocolError } from '../protocol.error';
import { protocolDescriptor } from '../registry/protocol.registry';

export type ChatProtocol = Exclude<WireProtocol, 'openai-embeddings'>;

export function isChatProtocol(p: WireProtocol): p is ChatProtocol {
  return protocolDescriptor(p).codecs !== undefined;
}

export function decodeRequest(protocol: WireProtocol, body: JsonObject): IrRequest {
  const codecs = protocolDescriptor(protocol).codecs;
  if (!codecs) throw new ProtocolError('An embeddings request cannot be sent to a chat model', { param: 'model' });
  return codecs.decodeRequest(body);
}

export function encodeRequest(protocol: WireProtocol, ir: IrRequest, ctx: ConvertContext): JsonObject {
  const codecs = protocolDescriptor(protocol).codecs;
  if (!codecs) throw new ProtocolError('A chat request cannot be sent to an embeddings model', { param: 'model' });
  return codecs.encodeRequest(ir, ctx);
}
