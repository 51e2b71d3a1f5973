import type { ProtocolDescriptor } from '../registry/protocol.descriptor';
import { RERANK_ACCOUNTING } from './rerank.accounting';
import { validateRerankRequest } from './rerank.request';
import { cohereToRerankResponse, rerankToCohereRequest } from './cohere-rerank.converter';
import { rerankToVoyageRequest, voyageToRerankResponse } from './voyage-rerank.converter';

/**
 * Rerank in the Cohere/Jina shape peers expose: `{ model, query, documents, top_n?, return_documents? }` →
 * `{ id?, results: [{ index, relevance_score, document? }], meta?, usage? }`. Jina and OpenAI-compatible rerank servers
 * (vLLM, Xinference, SiliconFlow) speak it as it is; Cohere v2 and Voyage through their own dialects.
 */
export const RERANK: ProtocolDescriptor = {
  name: 'rerank',
  modelIn: 'body',
  declarable: true,
  bodyRoutes: [{ path: '/v1/rerank', operation: 'rerank', endpoint: 'rerank' }],
  pathRoutes: [],
  actions: {},
  ownsPath: (path) => path.startsWith('/v1/rerank'),
  streams: () => false,
  accounting: RERANK_ACCOUNTING,
  validate: (req) => validateRerankRequest(req.body),
  conversions: {
    'cohere-rerank': { request: rerankToCohereRequest, response: cohereToRerankResponse },
    'voyage-rerank': { request: rerankToVoyageRequest, response: voyageToRerankResponse },
  },
  streamContentType: 'text/event-stream',
  passthroughHeaders: [],
};
