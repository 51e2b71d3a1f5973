import type { ConvertContext, Operation, WireProtocol } from '@switchboard/protocols';

/** What of a channel shapes its upstream call (the gateway's routing-table entry; the router builds it from the row). */
export interface UpstreamChannel {
  id: number;
  type: string;
  baseUrl: string;
  /** requested model → upstream model */
  modelMapping: Record<string, string>;
  /** deep-merged into every request body */
  paramOverride: Record<string, unknown>;
  /** sent with every request, over the adapter's own */
  headers: Record<string, string>;
  /** upstream status → the status the gateway acts on */
  statusCodeMapping: Record<string, number>;
  /**
   * The endpoint families beyond chat this channel serves (`images.generations`, `rerank`…), replacing its type's
   * defaults; null or absent: the type's defaults. Chat and embeddings are served as the type serves them.
   */
  endpoints?: readonly string[] | null;
  /** the type's settings (`region`, `project`, `apiVersion`…); absent or `{}` when it has none */
  config?: Readonly<Record<string, unknown>>;
}

/**
 * A file of a multipart upload: in memory (`data`) or spooled to a temporary file (`path`); `blob` reads it (again for
 * each attempt: a file-backed Blob streams from disk).
 */
export interface UploadedFile {
  field: string;
  filename: string;
  contentType: string;
  bytes: number;
  data?: Buffer;
  path?: string;
  blob?: Blob;
  /** its first bytes (up to 64 KiB), in memory even when spooled: what accounting reads of it (an audio header) */
  head?: Buffer;
}

/** The client's call as the edge parsed it. */
export interface InboundRequest {
  protocol: WireProtocol;
  operation: Operation;
  /** the usage record's endpoint family (`chat.completions`, `images.edits`…) */
  endpoint: string;
  /** model as the client named it */
  model: string;
  stream: boolean;
  /** Gemini clients: the action from the path (generateContent, streamGenerateContent, embedContent…) */
  geminiAction?: string;
  body: Record<string, unknown>;
  /** the body's bytes, forwarded untouched when nothing must change (empty for uploads) */
  raw: Buffer;
  /** a multipart upload's files; `body` then holds its text fields */
  files?: readonly UploadedFile[];
}

/** What buildUpstreamCall takes, by name (it takes them positionally). */
export interface UpstreamCallArgs {
  channel: UpstreamChannel;
  apiKey: string;
  call: InboundRequest;
  /** the model after alias resolution, before the channel's mapping */
  routeModel: string;
  requestId: string;
  /** the client's request headers: some are forwarded when both sides speak the same protocol */
  clientHeaders?: Readonly<Record<string, string | string[] | undefined>>;
}

/** What an upstream request carries: JSON text or bytes, or a form (its content type set by the sender). */
export type UpstreamBody = Buffer | string | FormData;

/** One upstream request, ready to send. */
export interface UpstreamCall {
  url: string;
  headers: Record<string, string>;
  body: UpstreamBody;
  upstreamProtocol: WireProtocol;
  upstreamModel: string;
  /** for converting the answer back to the client's protocol */
  ctx: ConvertContext;
}

/** Why no upstream request could be built. */
export type UpstreamCallFailure =
  | { failure: 'unknown_type'; message: string }
  /** the channel's upstream does not serve this operation (another channel may) */
  | { failure: 'unsupported'; message: string }
  /** the request cannot be converted: the client's fault */
  | { failure: 'invalid_request'; status: number; message: string; type?: string; param?: string };
