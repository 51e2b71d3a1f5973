import { decodeOpenAiCompletionsRequest } from './openai-completions-request.decoder';
import { encodeOpenAiCompletionsRequest } from './openai-completions-request.encoder';
import { decodeOpenAiCompletionsResponse } from './openai-completions-response.decoder';
import { encodeOpenAiCompletionsResponse } from './openai-completions-response.encoder';
import { OpenAiCompletionsStreamDecoder } from './openai-completions-stream.decoder';
import { OpenAiCompletionsStreamEncoder } from './openai-completions-stream.encoder';
import type { ProtocolDescriptor } from '../registry/protocol.descriptor';

/**
 * OpenAI legacy Completions (`prompt` → `choices[].text`), stream and not. A chat protocol through the IR: relayed as
 * it is where the upstream speaks Completions, else sent to any chat upstream as one user turn.
 */
export const OPENAI_COMPLETIONS: ProtocolDescriptor = {
  name: 'openai-completions',
  modelIn: 'body',
  declarable: true,
  bodyRoutes: [{ path: '/v1/completions', operation: 'generate', endpoint: 'completions' }],
  pathRoutes: [],
  actions: {},
  ownsPath: (path) => path === '/v1/completions' || path.startsWith('/v1/completions/'),
  codecs: {
    decodeRequest: (body) => decodeOpenAiCompletionsRequest(body),
    encodeRequest: (ir, ctx) => ({ ...encodeOpenAiCompletionsRequest(ir, ctx) }),
    decodeResponse: (body) => decodeOpenAiCompletionsResponse(body),
    encodeResponse: (ir, ctx) => ({ ...encodeOpenAiCompletionsResponse(ir, ctx) }),
    streamDecoder: () => new OpenAiCompletionsStreamDecoder(),
    streamEncoder: (ctx) => new OpenAiCompletionsStreamEncoder(ctx),
  },
  streamContentType: 'text/event-stream',
  passthroughHeaders: [],
};
