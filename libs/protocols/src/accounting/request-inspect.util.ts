/** Reads request properties the gateway needs before converting (quota reservation, routing). */
import { asNumber, asObject, field } from '../core/json.util';
import type { WireProtocol } from '../protocol.types';

export function requestedMaxOutputTokens(protocol: WireProtocol, body: Record<string, unknown>): number | null {
  switch (protocol) {
    case 'openai-chat':
      return asNumber(body['max_completion_tokens']) ?? asNumber(body['max_tokens']) ?? null;
    case 'openai-responses':
      return asNumber(body['max_output_tokens']) ?? null;
    case 'anthropic':
      return asNumber(body['max_tokens']) ?? null;
    case 'gemini':
      return asNumber(field(asObject(field(body, 'generationConfig')), 'maxOutputTokens')) ?? null;
    case 'openai-embeddings':
      return null;
  }
}

/** Gemini streams are chosen by path (`:streamGenerateContent`), never by body: always false here. */
export function isStreamRequest(protocol: WireProtocol, body: Record<string, unknown>): boolean {
  switch (protocol) {
    case 'openai-chat':
    case 'openai-responses':
    case 'anthropic':
      return body['stream'] === true;
    default:
      return false;
  }
}
