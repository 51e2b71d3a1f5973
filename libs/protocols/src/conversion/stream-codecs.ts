/** Protocol → stream decoder / encoder factories. */
import { AnthropicStreamDecoder } from '../anthropic/anthropic-stream.decoder';
import { AnthropicStreamEncoder } from '../anthropic/anthropic-stream.encoder';
import type { StreamDecoder, StreamEncoder } from '../core/stream.types';
import { GeminiStreamDecoder } from '../gemini/gemini-stream.decoder';
import { GeminiStreamEncoder } from '../gemini/gemini-stream.encoder';
import { OpenAiChatStreamDecoder } from '../openai-chat/openai-chat-stream.decoder';
import { OpenAiChatStreamEncoder } from '../openai-chat/openai-chat-stream.encoder';
import { ResponsesStreamDecoder } from '../openai-responses/openai-responses-stream.decoder';
import { ResponsesStreamEncoder } from '../openai-responses/openai-responses-stream.encoder';
import type { ConvertContext, WireProtocol } from '../protocol.types';
import { ProtocolError } from '../protocol.error';

export function createStreamDecoder(protocol: WireProtocol, ctx: ConvertContext): StreamDecoder {
  switch (protocol) {
    case 'openai-chat':
      return new OpenAiChatStreamDecoder();
    case 'openai-responses':
      return new ResponsesStreamDecoder();
    case 'anthropic':
      return new AnthropicStreamDecoder();
    case 'gemini':
      return new GeminiStreamDecoder(ctx);
    case 'openai-embeddings':
      throw new ProtocolError('Embeddings are not streamed', { status: 400 });
  }
}

export function createStreamEncoder(protocol: WireProtocol, ctx: ConvertContext): StreamEncoder {
  switch (protocol) {
    case 'openai-chat':
      return new OpenAiChatStreamEncoder(ctx);
    case 'openai-responses':
      return new ResponsesStreamEncoder(ctx);
    case 'anthropic':
      return new AnthropicStreamEncoder(ctx);
    case 'gemini':
      return new GeminiStreamEncoder(ctx);
    case 'openai-embeddings':
      throw new ProtocolError('Embeddings are not streamed', { status: 400 });
  }
}
