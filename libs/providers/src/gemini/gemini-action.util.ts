import { geminiImageAction, type Operation, type WireProtocol } from '@switchboard/protocols';

/**
 * The Gemini upstream path action: the client's own when it spoke Gemini; OpenAI embeddings go to batchEmbedContents;
 * OpenAI image generations to Imagen's `:predict` or a native image model's `:generateContent`, by model (the
 * converter builds the body of the same rule).
 */
export function geminiActionFor(
  call: { protocol: WireProtocol; operation: Operation; geminiAction?: string },
  upstream: WireProtocol,
  upstreamModel = '',
): string | undefined {
  if (upstream !== 'gemini') return undefined;
  if (call.protocol === 'gemini') return call.geminiAction;
  if (call.operation === 'image.generate') return geminiImageAction(upstreamModel);
  return call.operation === 'embed' ? 'batchEmbedContents' : undefined;
}
