import type { ProtocolDescriptor } from '../registry/protocol.descriptor';
import { upstreamDialect } from '../registry/upstream-dialect';
import type { WireProtocol } from '../protocol.types';

/**
 * A vendor's rerank dialect, an upstream-only protocol: no client speaks it (no route, no path of its own); `rerank`
 * converts to it (rerank.descriptor.ts). Its errors (`{ message }`, `{ detail }`) are read by the generic parser.
 */
const rerankDialect = (name: WireProtocol): ProtocolDescriptor => upstreamDialect(name);

/** Voyage (api.voyageai.com/v1/rerank): `top_k`, string documents, answers under `data`. */
export const VOYAGE_RERANK = rerankDialect('voyage-rerank');
/** Cohere v2 (api.cohere.com/v2/rerank): string documents, no `return_documents`, answers without the documents. */
export const COHERE_RERANK = rerankDialect('cohere-rerank');
