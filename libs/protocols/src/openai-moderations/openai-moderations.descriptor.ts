import type { ProtocolDescriptor } from '../registry/protocol.descriptor';
import { MODERATIONS_ACCOUNTING, validateModeration } from './moderations.accounting';

/** OpenAI Moderations: classified by OpenAI-compatible upstreams as sent; free unless a price says otherwise. */
export const OPENAI_MODERATIONS: ProtocolDescriptor = {
  name: 'openai-moderations',
  modelIn: 'body',
  declarable: true,
  bodyRoutes: [{ path: '/v1/moderations', operation: 'moderate', endpoint: 'moderations' }],
  pathRoutes: [],
  actions: {},
  ownsPath: (path) => path.startsWith('/v1/moderations'),
  streams: () => false,
  validate: (req) => validateModeration(req.body),
  accounting: MODERATIONS_ACCOUNTING,
  streamContentType: 'text/event-stream',
  passthroughHeaders: [],
};
