/** Protocol → request decoder / encoder lookup. */
import type { IrRequest } from '../core/ir.types';
import type { JsonObject } from '../core/json.util';
import { decodeAnthropicRequest } from '../anthropic/anthropic-request.decoder';
import { encodeAnthropicRequest } from '../anthropic/anthropic-request.encoder';
import { decodeGeminiRequest } from '../gemini/gemini-request.decoder';
import { encodeGeminiRequest } from '../gemini/gemini-request.encoder';
import { decodeOpenAiChatRequest } from '../openai-chat/openai-chat-request.decoder';
import { encodeOpenAiChatRequest } from '../openai-chat/openai-chat-request.encoder';
import { decodeResponsesRequest } from '../openai-responses/openai-responses-request.decoder';
import { encodeResponsesRequest } from '../openai-responses/openai-responses-request.encoder';
import type { ConvertContext, WireProtocol } from '../protocol.types';
import { ProtocolError } from '../protocol.error';

export type ChatProtocol = Exclude<WireProtocol, 'openai-embeddings'>;

export function isChatProtocol(p: WireProtocol): p is ChatProtocol {
  return p !== 'openai-embeddings';
}

export function decodeRequest(protocol: WireProtocol, body: JsonObject): IrRequest {
  switch (protocol) {
    case 'openai-chat':
      return decodeOpenAiChatRequest(body);
    case 'openai-responses':
      return decodeResponsesRequest(body);
    case 'anthropic':
      return decodeAnthropicRequest(body);
    case 'gemini':
      return decodeGeminiRequest(body);
    case 'openai-embeddings':
      throw new ProtocolError('An embeddings request cannot be sent to a chat model', { param: 'model' });
  }
}

export function encodeRequest(protocol: WireProtocol, ir: IrRequest, ctx: ConvertContext): JsonObject {
  switch (protocol) {
    case 'openai-chat':
      return { ...encodeOpenAiChatRequest(ir, ctx) };
    case 'openai-responses':
      return { ...encodeResponsesRequest(ir, ctx) };
    case 'anthropic':
      return { ...encodeAnthropicRequest(ir, ctx) };
    case 'gemini':
      return { ...encodeGeminiRequest(ir, ctx) };
    case 'openai-embeddings':
      throw new ProtocolError('A chat request cannot be sent to an embeddings model', { param: 'model' });
  }
}
