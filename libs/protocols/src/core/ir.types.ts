/**
 * The internal representation (hub) every chat protocol is decoded into and encoded from.
 * It keeps what any one protocol needs to round-trip: signatures, cache breakpoints, tool ids.
 */
import type { Usage } from '../protocol.types';
import type { JsonObject } from './json.util';

export interface IrCacheControl {
  type: 'ephemeral';
  ttl?: string;
}

export type IrMediaSource =
  | { kind: 'url'; url: string; mediaType?: string }
  | { kind: 'base64'; mediaType: string; data: string }
  | { kind: 'file_id'; fileId: string; mediaType?: string };

export interface IrTextPart {
  type: 'text';
  text: string;
  cacheControl?: IrCacheControl;
  /** Gemini thoughtSignature attached to a text part. */
  thoughtSignature?: string;
  /** Spans of this text backed by a web source (the gateway's web search; encoders that have no slot drop them). */
  citations?: IrCitation[];
}

/** A source a web search found. */
export interface IrWebSource {
  url: string;
  title: string;
  snippet?: string;
}

/** A web search run for the answer (by the gateway, not the model): the query and what it found, in rank order. */
export interface IrWebSearch {
  id: string;
  query: string;
  sources: IrWebSource[];
}

/** A span of answer text backed by a source; offsets in UTF-16 code units of the text it belongs to (the whole streamed text in a stream). */
export interface IrCitation {
  url: string;
  title: string;
  startIndex: number;
  endIndex: number;
  /** what of the source backs the span (Anthropic's `cited_text`) */
  citedText: string;
}

export interface IrImagePart {
  type: 'image';
  source: IrMediaSource;
  detail?: string;
  cacheControl?: IrCacheControl;
}

export interface IrAudioPart {
  type: 'audio';
  /** base64 */
  data: string;
  mediaType: string;
}

export interface IrFilePart {
  type: 'file';
  source: IrMediaSource;
  filename?: string;
  cacheControl?: IrCacheControl;
}

/**
 * Reasoning. Exactly one origin usually fills the opaque fields:
 * Anthropic `signature` / `redactedData`, OpenAI Responses `encryptedContent` + `reasoningId`,
 * Gemini `thoughtSignature`.
 */
export interface IrThinkingPart {
  type: 'thinking';
  text: string;
  signature?: string;
  redactedData?: string;
  encryptedContent?: string;
  reasoningId?: string;
  thoughtSignature?: string;
}

export interface IrToolCallPart {
  type: 'tool_call';
  id: string;
  name: string;
  /** JSON text of the arguments object. */
  arguments: string;
  thoughtSignature?: string;
  cacheControl?: IrCacheControl;
}

export type IrToolResultContent = IrTextPart | IrImagePart | IrFilePart;

export interface IrToolResultPart {
  type: 'tool_result';
  toolCallId: string;
  name?: string;
  content: IrToolResultContent[];
  isError?: boolean;
  cacheControl?: IrCacheControl;
}

export interface IrRefusalPart {
  type: 'refusal';
  text: string;
}

export type IrPart = IrTextPart | IrImagePart | IrAudioPart | IrFilePart | IrThinkingPart | IrToolCallPart | IrToolResultPart | IrRefusalPart;

export interface IrMessage {
  role: 'user' | 'assistant';
  parts: IrPart[];
}

export interface IrTool {
  name: string;
  description?: string;
  /** JSON Schema (draft 2020-12 style, lowercase types). */
  parameters?: JsonObject;
  strict?: boolean;
  cacheControl?: IrCacheControl;
}

export type IrToolChoice = { type: 'auto' | 'none' | 'required'; allowed?: string[] } | { type: 'tool'; name: string };

export type IrResponseFormat =
  { type: 'text' } | { type: 'json_object' } | { type: 'json_schema'; name?: string; description?: string; schema: JsonObject; strict?: boolean };

export type IrEffort = 'none' | 'minimal' | 'low' | 'medium' | 'high' | 'xhigh' | 'max';

export interface IrReasoning {
  effort?: IrEffort;
  budgetTokens?: number;
  /** The client wants to see reasoning text (summaries / thought parts / thinking blocks). */
  includeThoughts?: boolean;
  /** The effort came from an OpenAI client's own `reasoning_effort` / `reasoning.effort`. */
  openAiEffort?: boolean;
}

export interface IrRequest {
  system: IrTextPart[];
  messages: IrMessage[];
  tools: IrTool[];
  toolChoice?: IrToolChoice;
  parallelToolCalls?: boolean;
  maxOutputTokens?: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  stop?: string[];
  n?: number;
  seed?: number;
  presencePenalty?: number;
  frequencyPenalty?: number;
  logprobs?: boolean;
  topLogprobs?: number;
  responseFormat?: IrResponseFormat;
  reasoning?: IrReasoning;
  user?: string;
  metadata?: Record<string, string>;
  serviceTier?: string;
}

/** Normalised stop reason; each protocol maps to and from it (§9.2). */
export type IrStopReason = 'stop' | 'stop_sequence' | 'length' | 'tool_calls' | 'content_filter';

export interface IrResponse {
  id?: string;
  model?: string;
  created?: number;
  parts: IrPart[];
  stopReason: IrStopReason;
  stopSequence?: string | null;
  usage: Usage | null;
  /** the web search the answer drew on, shown before the answer's own parts where a protocol has a slot for it */
  webSearch?: IrWebSearch;
}

export interface IrStreamError {
  status: number;
  message: string;
  type?: string;
  code?: string;
}

export type IrStreamEvent =
  | { type: 'start'; id?: string; model?: string; created?: number }
  | { type: 'text_delta'; text: string }
  | { type: 'text_signature'; thoughtSignature: string }
  | { type: 'thinking_delta'; text: string }
  | {
      type: 'thinking_end';
      signature?: string;
      redactedData?: string;
      encryptedContent?: string;
      reasoningId?: string;
      thoughtSignature?: string;
    }
  | { type: 'tool_call_start'; index: number; id: string; name: string; thoughtSignature?: string }
  | { type: 'tool_call_delta'; index: number; arguments: string }
  | { type: 'tool_call_end'; index: number }
  /** `partial`: a placeholder output count (Anthropic message_start), superseded by later usage. */
  | { type: 'usage'; usage: Usage; partial?: boolean }
  /** a web search run for the answer, sent before its text */
  | { type: 'web_search'; search: IrWebSearch }
  /** the citations of the text streamed so far, sent once before `finish` */
  | { type: 'citations'; citations: IrCitation[] }
  | { type: 'finish'; reason: IrStopReason; stopSequence?: string | null }
  | { type: 'error'; error: IrStreamError }
  | { type: 'done' };
