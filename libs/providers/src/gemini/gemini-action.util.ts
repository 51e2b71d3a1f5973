import type { Operation, WireProtocol } from '@switchboard/protocols';

/** The Gemini upstream path action: the client's own when it spoke Gemini; OpenAI embeddings go to batchEmbedContents. */
export function geminiActionFor(call: { protocol: WireProtocol; operation: Operation; geminiAction?: string }, upstream: WireProtocol): string | undefined {
  if (upstream !== 'gemini') return undefined;
  if (call.protocol === 'gemini') return call.geminiAction;
  return call.operation === 'embed' ? 'batchEmbedContents' : undefined;
}
