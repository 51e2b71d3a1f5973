import { DomainError } from '@switchboard/contracts';
import {
  protocolDescriptor,
  ProtocolError,
  requestedMaxOutputTokens,
  streamsOf,
  type AccountedRequest,
  type BodyRoute,
  type PathAction,
  type WireProtocol,
} from '@switchboard/protocols';
import type { InboundRequest } from '@switchboard/providers';
import type { FastifyRequest } from 'fastify';
import type { MultipartBody } from '../edge/multipart-body.reader';
import { RelayErrors } from './relay.errors';

/** What the JSON body parser leaves on request.body: the bytes (for pass-through) and the parsed value. */
export interface RawJsonBody {
  raw: Buffer;
  json: unknown;
  parseError?: string;
}

/** The relay call of a parsed request: what the providers' upstream-call builder takes. */
export type InboundCall = InboundRequest;

/** The client's key from any carrier the three SDKs use (SPEC §4). */
export function readApiKey(req: Pick<FastifyRequest, 'headers' | 'query'>): string | null {
  const h = req.headers;
  const auth = h.authorization;
  if (typeof auth === 'string' && /^bearer\s+/i.test(auth)) return auth.replace(/^bearer\s+/i, '').trim() || null;
  for (const name of ['x-api-key', 'x-goog-api-key', 'api-key']) {
    const v = h[name];
    if (typeof v === 'string' && v.trim()) return v.trim();
  }
  const q = (req.query as Record<string, unknown> | undefined)?.key;
  return typeof q === 'string' && q ? q : null;
}

/**
 * The 400 a body deserves before it reaches the reservation: its numbers (cost in BigInt, limits in safe integers), and
 * what its family checks (a missing prompt, a file of the wrong kind).
 */
function requestProblem(protocol: WireProtocol, json: Record<string, unknown>, route?: BodyRoute, files?: InboundCall['files']): DomainError | null {
  try {
    requestedMaxOutputTokens(protocol, json);
    const validate = protocolDescriptor(protocol).validate;
    if (validate && route) validate(accountedRequest({ operation: route.operation, body: json, files }));
    return null;
  } catch (e) {
    if (!(e instanceof ProtocolError)) throw e;
    return new DomainError('invalid_request', e.status, e.message, e.param === undefined ? {} : { param: e.param });
  }
}

/** The model and action of a path-model call (Gemini), with what the protocol says the action does. */
export interface PathCall {
  model: string;
  action: string;
  does: PathAction;
}

/**
 * The relay call of a parsed body, or the 400 its body deserves (not a JSON object, a bad output budget). `at`: the
 * body route called (default: the protocol's first), or the path target of a path-model call.
 */
export function inboundCallOf(protocol: WireProtocol, body: RawJsonBody | undefined, at?: BodyRoute | PathCall): InboundCall | DomainError {
  if (!body || body.parseError !== undefined || !body.json || typeof body.json !== 'object' || Array.isArray(body.json)) {
    return RelayErrors.malformed(body?.parseError ?? 'The request body must be a JSON object.');
  }
  const json = body.json as Record<string, unknown>;
  const bodyRoute: BodyRoute | undefined = at && 'action' in at ? undefined : (at ?? protocolDescriptor(protocol).bodyRoutes[0]);
  const bad = requestProblem(protocol, json, bodyRoute);
  if (bad) return bad;
  if (at && 'action' in at) {
    return {
      protocol,
      operation: at.does.kind === 'embed' ? 'embed' : 'generate',
      endpoint: at.action,
      model: at.model,
      stream: at.does.stream,
      geminiAction: at.action,
      body: json,
      raw: body.raw,
    };
  }
  const route = bodyRoute!;
  return {
    protocol,
    operation: route.operation,
    endpoint: route.endpoint,
    model: typeof json.model === 'string' ? json.model : '',
    // Only what the protocol streams: `stream: true` on an embeddings body is forwarded as sent and answered as JSON.
    stream: streamsOf(protocol, json, route.operation),
    body: json,
    raw: body.raw,
  };
}

const NO_BYTES = Buffer.alloc(0);

/** The relay call of a multipart upload: its text fields are the body, its files go upstream in a new form. */
export function uploadCallOf(protocol: WireProtocol, route: BodyRoute, form: MultipartBody): InboundCall | DomainError {
  const body: Record<string, unknown> = form.fields;
  const bad = requestProblem(protocol, body, route, form.files);
  if (bad) return bad;
  return {
    protocol,
    operation: route.operation,
    endpoint: route.endpoint,
    model: typeof body.model === 'string' ? body.model : '',
    stream: streamsOf(protocol, body, route.operation),
    body,
    raw: NO_BYTES,
    files: form.files,
  };
}

/** What a family's accounting sees of a call: its body (an upload's fields) and its files' sizes. */
export function accountedRequest(call: Pick<InboundCall, 'operation' | 'body' | 'files'>): AccountedRequest {
  return {
    operation: call.operation,
    body: call.body,
    uploads: call.files?.map((f) => ({ field: f.field, bytes: f.bytes, contentType: f.contentType, filename: f.filename, head: f.head })),
  };
}
