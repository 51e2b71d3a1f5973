import type { WireProtocol } from '../protocol.types';

/**
 * Frames one event the way each protocol's real API does (§1.1):
 * OpenAI Chat `data: …\n\n` (the string '[DONE]' is written raw); Responses and Anthropic
 * `event: <type>\ndata: …\n\n`; Gemini `data: …\r\n\r\n`, single-line JSON, never an `event:` line.
 */
export function encodeSseEvent(protocol: WireProtocol, data: unknown, eventName?: string): string {
  const json = typeof data === 'string' && data === '[DONE]' ? data : JSON.stringify(data);
  switch (protocol) {
    case 'openai-chat':
    case 'openai-embeddings':
      return `data: ${json}\n\n`;
    case 'openai-responses':
    case 'anthropic': {
      const name = eventName ?? typeName(data);
      return name ? `event: ${name}\ndata: ${json}\n\n` : `data: ${json}\n\n`;
    }
    case 'gemini':
      return `data: ${json}\r\n\r\n`;
    default:
      return `data: ${json}\n\n`;
  }
}

function typeName(data: unknown): string | undefined {
  if (typeof data === 'object' && data !== null && 'type' in data) {
    const t = data.type;
    if (typeof t === 'string') return t;
  }
  return undefined;
}
