import type { ProtocolDescriptor } from '../registry/protocol.descriptor';
import { upstreamDialect } from '../registry/upstream-dialect';

/**
 * Vertex AI's embeddings dialect, upstream-only (no client speaks it): `:predict` with `instances`/`parameters` for
 * text-embedding-* and gemini-embedding-001, `:embedContent` with one `content` for newer Gemini embedding models.
 * OpenAI Embeddings and Gemini embedContent/batchEmbedContents clients convert to it (vertex-embeddings.converter.ts);
 * its errors are Google's `google.rpc.Status`, read by the generic parser.
 */
export const VERTEX_EMBEDDINGS: ProtocolDescriptor = upstreamDialect('vertex-embeddings');
