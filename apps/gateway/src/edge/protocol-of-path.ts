import type { WireProtocol } from '@switchboard/protocols';

/** The inbound protocol a relay path speaks (null for admin, health and unknown paths). */
export function protocolOfPath(url: string): WireProtocol | null {
  const path = url.split('?')[0] ?? '';
  if (path.startsWith('/v1/chat/')) return 'openai-chat';
  if (path.startsWith('/v1/responses')) return 'openai-responses';
  if (path.startsWith('/v1/embeddings')) return 'openai-embeddings';
  if (path.startsWith('/v1/messages')) return 'anthropic';
  if (path.startsWith('/v1beta/') || /^\/v1\/models\/[^/]+:/.test(path)) return 'gemini';
  if (path.startsWith('/v1/')) return 'openai-chat';
  return null;
}
