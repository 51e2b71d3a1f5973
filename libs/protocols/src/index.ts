/**
 * @switchboard/protocols — wire types and pure converters between OpenAI Chat, OpenAI Responses,
 * OpenAI Embeddings, Anthropic Messages and Gemini. No I/O.
 */
export type { WireProtocol, Operation, Usage, Units, BillableUnits, ConvertContext, GatewayError } from './protocol.types';
export { MAX_USAGE_TOKENS, OPERATIONS, WIRE_PROTOCOLS } from './protocol.types';
export { ProtocolError } from './protocol.error';

export { convertRequest } from './conversion/convert-request';
export { convertResponse } from './conversion/convert-response';
export { NO_TRANSFORMS, transformResponse, type AnswerTransform } from './conversion/answer-transform';
export { decodeRequest } from './conversion/request-codecs';
export type { IrCitation, IrPart, IrRequest, IrResponse, IrStreamEvent, IrWebSearch, IrWebSource } from './core/ir.types';
export { createStreamTranslator, type StreamTranslator } from './conversion/stream-translator';

export { extractUsage, extractOutputText } from './accounting/usage.extractor';
export { estimatePromptTokens } from './accounting/prompt-tokens.estimator';
export { countTextTokens, createO200k, loadTokenizer, type O200kRanks } from './accounting/token-count.util';
export { requestedMaxOutputTokens, isStreamRequest, MAX_OUTPUT_TOKENS } from './accounting/request-inspect.util';

export { renderError, type RenderedError } from './errors/render-error';
export { parseUpstreamError } from './errors/parse-upstream-error';

export { encodeSseEvent } from './core/sse-encoder';
export { DEFAULT_MAX_SSE_EVENT_CHARS, SseEventTooLargeError, SseParser, type SseEvent } from './core/sse-parser';
export { fileExtensionForMediaType } from './core/media.util';
export { floatsToBase64, base64ToFloats } from './openai-embeddings/embedding-vector.util';
export { parseGeminiModelAction, type GeminiModelAction } from './gemini/gemini-path.util';
export { bedrockModelProvider, isBedrockAnthropicModel } from './bedrock-converse/bedrock-model.util';
export { CONVERSE_STREAM_EXCEPTIONS } from './bedrock-converse/bedrock-converse-stream.decoder';
export { anthropicErrorType } from './errors/error-types.map';
export { geminiImageAction } from './openai-images/images-gemini.converter';
export { vertexEmbeddingVerb } from './vertex-embeddings/vertex-embeddings.converter';

export type {
  ProtocolDescriptor,
  PathAction,
  PathTarget,
  CallerHints,
  BodyRoute,
  FamilyAccounting,
  FamilyConversion,
  AccountedRequest,
} from './registry/protocol.descriptor';
export {
  PROTOCOL_DESCRIPTORS,
  DEFAULT_PROTOCOL,
  protocolDescriptor,
  bodyRoutes,
  declarableEndpoints,
  streamsOf,
  type ProtocolRoute,
  protocolOfPath,
  pathModelProtocolOf,
  modelListProtocolOf,
  renderModelList,
  renderModel,
} from './registry/protocol.registry';
export {
  realtimeErrorEvent,
  realtimeResponseCreate,
  realtimeResponseUsage,
  realtimeSessionMaxOutput,
  type ResponseCreate,
} from './openai-realtime/realtime-events';
export { createStreamAggregator, IrResponseBuilder, type StreamAggregator } from './conversion/stream-aggregator';
export { encodeResponse } from './conversion/response-codecs';
export { kiroModelId } from './kiro/kiro-model.map';
export { kiroToolName } from './kiro/kiro-request.encoder';
export { KIRO_EXCEPTION_EVENT } from './kiro/kiro-stream.decoder';
