import { decodeGeminiRequest } from './gemini-request.decoder';
import { encodeGeminiRequest } from './gemini-request.encoder';
import { decodeGeminiResponse } from './gemini-response.decoder';
import { encodeGeminiResponse } from './gemini-response.encoder';
import { GeminiStreamDecoder } from './gemini-stream.decoder';
import { GeminiStreamEncoder } from './gemini-stream.encoder';
import type { ProtocolDescriptor } from '../registry/protocol.descriptor';
import { parseGeminiModelAction } from './gemini-path.util';

const geminiModel = (id: string) => ({ name: `models/${id}`, displayName: id, supportedGenerationMethods: ['generateContent', 'countTokens'] });

/** Gemini: the model and action are in the path (`/v1beta/models/{model}:{action}`), the body has no model. */
export const GEMINI: ProtocolDescriptor = {
  name: 'gemini',
  modelIn: 'path',
  bodyRoutes: [],
  pathRoutes: ['/v1beta/models/', '/v1/models/'],
  actions: {
    generateContent: { kind: 'generate', stream: false },
    streamGenerateContent: { kind: 'generate', stream: true },
    embedContent: { kind: 'embed', stream: false },
    batchEmbedContents: { kind: 'embed', stream: false },
    countTokens: { kind: 'countTokens', stream: false },
  },
  parsePathTarget: (rest) => {
    const { model, action } = parseGeminiModelAction(rest);
    // `x` (no action) and `:x` (nothing before it) name no call.
    if (action === null || (model === '' && decodeURIComponent(rest).startsWith(':'))) return null;
    return { model, action };
  },
  ownsPath: (path) => path.startsWith('/v1beta/') || /^\/v1\/models\/[^/]+:/.test(path),
  codecs: {
    decodeRequest: (body) => decodeGeminiRequest(body),
    encodeRequest: (ir, ctx) => ({ ...encodeGeminiRequest(ir, ctx) }),
    decodeResponse: (body, ctx) => decodeGeminiResponse(body, ctx),
    encodeResponse: (ir, ctx) => ({ ...encodeGeminiResponse(ir, ctx) }),
    streamDecoder: (ctx) => new GeminiStreamDecoder(ctx),
    streamEncoder: (ctx) => new GeminiStreamEncoder(ctx),
  },
  streamContentType: 'text/event-stream',
  passthroughHeaders: [],
  modelList: {
    // The SDK's key carriers: `x-goog-api-key` or `?key=`.
    isCaller: ({ headers, query }) => !!(headers['x-goog-api-key'] || (query as Record<string, unknown> | undefined)?.key),
    render: (ids) => ({ models: ids.map(geminiModel) }),
    renderOne: (id) => geminiModel(id),
  },
  countTokens: {
    action: 'countTokens',
    // `{ generateContentRequest }` or `{ contents }` directly.
    input: (body) =>
      body.generateContentRequest && typeof body.generateContentRequest === 'object' ? (body.generateContentRequest as Record<string, unknown>) : body,
    answer: (tokens) => ({ totalTokens: tokens }),
  },
};
