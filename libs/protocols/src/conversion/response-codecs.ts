/** Protocol → non-stream response decoder / encoder lookup. */
import type { IrResponse } from '../core/ir.types';
import type { JsonObject } from '../core/json.util';
import { decodeAnthropicResponse } from '../anthropic/anthropic-response.decoder';
import { encodeAnthropicResponse } from '../anthropic/anthropic-response.encoder';
import { decodeGeminiResponse } from '../gemini/gemini-response.decoder';
import { encodeGeminiResponse } from '../gemini/gemini-response.encoder';
import { decodeOpenAiChatResponse } from '../openai-chat/openai-chat-response.decoder';
import { encodeOpenAiChatResponse } from '../openai-chat/openai-chat-response.encoder';
import { decodeResponsesResponse } from '../openai-responses/openai-responses-response.decoder';
import { encodeResponsesResponse } from '../openai-responses/openai-responses-response.encoder';
import type { ConvertContext, WireProtocol } from '../protocol.types';
import { ProtocolError } from '../protocol.error';

export function decodeResponse(protocol: WireProtocol, body: JsonObject, ctx?: ConvertContext): IrResponse {
  switch (protocol) {
    case 'openai-chat':
      return decodeOpenAiChatResponse(body);
    case 'openai-responses':
      return decodeResponsesResponse(body);
    case 'anthropic':
      return decodeAnthropicResponse(body);
    case 'gemini':
      return decodeGeminiResponse(body, ctx);
    case 'openai-embeddings':
      throw new ProtocolError('Embeddings responses have no chat form', { status: 502, type: 'server_error' });
  }
}

export function encodeResponse(protocol: WireProtocol, ir: IrResponse, ctx: ConvertContext): JsonObject {
  switch (protocol) {
    case 'openai-chat':
      return { ...encodeOpenAiChatResponse(ir, ctx) };
    case 'openai-responses':
      return { ...encodeResponsesResponse(ir, ctx) };
    case 'anthropic':
      return { ...encodeAnthropicResponse(ir, ctx) };
    case 'gemini':
      return { ...encodeGeminiResponse(ir, ctx) };
    case 'openai-embeddings':
      throw new ProtocolError('Chat responses have no embeddings form', { status: 502, type: 'server_error' });
  }
}
