import type { IncomingHttpHeaders } from 'node:http';
import type { MockUploadedFile } from './families/family-route';

/** Which vendor's wire protocol a request was routed to. */
export type MockVendor = 'openai' | 'anthropic' | 'gemini' | 'cohere';

export interface MockUpstreamOptions {
  /** Port to listen on; 0 or undefined picks a free port. */
  port?: number;
  /** Bind address; default 127.0.0.1. */
  host?: string;
  /** Accepted API keys. Default: any non-empty key is accepted. */
  keys?: string[];
  /** How many requests `requests` keeps (oldest dropped first). Default 10 000. */
  maxRecorded?: number;
}

export interface RecordedRequest {
  method: string;
  /** Path with the query string, as received. */
  path: string;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body; undefined when the body is empty or not JSON. */
  body: unknown;
  rawBody: string;
  /** Date.now() when the request was fully received. */
  receivedAt: number;
  vendor?: MockVendor;
  /** The API key the request carried (any auth carrier), if any. */
  key?: string;
  /** The model named in the body or the Gemini path, if any. */
  model?: string;
  stream: boolean;
  /** A multipart upload's files as received (field, name, type and bytes), for checking what a gateway forwarded. */
  files?: MockUploadedFile[];
}

/** A client event a Realtime session received (WebSocket frame). */
export interface RecordedRealtimeEvent {
  receivedAt: number;
  key?: string;
  model: string;
  /** the event's `type`; `binary` for a binary frame, `invalid` for text that is not a JSON event */
  type: string;
  event: unknown;
}

export interface FaultMatch {
  /** Substring of the request path (query included). */
  path?: string;
  /** Exact model name (Gemini: without the `models/` prefix). */
  model?: string;
  /** Exact API key used. */
  key?: string;
  /** Only requests that ask for a stream (true) or do not (false): e.g. a slow non-stream answer, a prompt stream. */
  stream?: boolean;
}

export interface FaultRule {
  match?: FaultMatch;
  /** How many matching requests this rule applies to; default unlimited. */
  times?: number;
  /** Answer with this HTTP status (before any stream byte). */
  status?: number;
  /** Error body to send with `status`; default: the vendor's own error body for that status. */
  body?: unknown;
  /** Extra response headers (e.g. `retry-after`). Applied to every response the rule shapes. */
  headers?: Record<string, string>;
  /** Wait this long before sending the response headers. */
  delayMs?: number;
  /** Never answer (the socket stays open until the client gives up or the mock closes). */
  hang?: boolean;
  /** Destroy the socket after N stream events (SSE events; JSON-array elements for Gemini without alt=sse). Non-stream: after half the body. */
  dropAfterChunks?: number;
  /** Pause this long between consecutive stream events. */
  chunkDelayMs?: number;
  /** 200 with a body that is not JSON (stream requests: an SSE event whose data is not JSON). */
  garbage?: boolean;
  /** Destroy the socket as soon as the request is read. */
  resetConnection?: boolean;
  /** Stream: after N events, send the vendor's in-stream error event and end the stream cleanly. */
  streamErrorAfterChunks?: number;
  /** Status carried by the in-stream error; default 500 (Anthropic: 529 overloaded_error). */
  streamErrorStatus?: number;
}

/** Default shape of generated text replies (overridden per request by headers or directives). */
export interface StreamShape {
  /** Number of text chunks (the reply is padded with filler words when it has fewer words). */
  chunks?: number;
  /** Pause between consecutive content chunks, in ms. */
  delayMs?: number;
}

export interface MockUpstream {
  /** `http://HOST:PORT`, no trailing slash. */
  url: string;
  port: number;
  /** Every vendor request received, oldest first (control-API calls are not recorded); a Realtime upgrade is a GET. */
  requests: RecordedRequest[];
  /** Every client event of every Realtime session, oldest first. */
  realtimeEvents: RecordedRealtimeEvent[];
  setFault(rule: FaultRule): void;
  clearFaults(): void;
  setStreamShape(shape: StreamShape): void;
  clearStreamShape(): void;
  /** Clears recorded requests, faults and the stream shape. */
  reset(): void;
  /** Stops listening and destroys every open socket. */
  close(): Promise<void>;
}
