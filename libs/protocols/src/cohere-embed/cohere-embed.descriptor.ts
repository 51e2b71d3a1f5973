import type { ProtocolDescriptor } from '../registry/protocol.descriptor';
import { upstreamDialect } from '../registry/upstream-dialect';

/**
 * Cohere Embed v2 (`POST /v2/embed`), an upstream-only embeddings dialect: OpenAI Embeddings clients convert to it
 * (cohere-embed.converter.ts, looked up by convertRequest/convertResponse); its errors (`{ id, message }`) are read by
 * the generic parser.
 */
export const COHERE_EMBED: ProtocolDescriptor = upstreamDialect('cohere-embed');
