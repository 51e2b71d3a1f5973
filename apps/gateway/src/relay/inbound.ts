import { DomainError } from '@switchboard/contracts';
import { protocolDescriptor, ProtocolError, requestedMaxOutputTokens, type PathAction, type WireProtocol } from '@switchboard/protocols';
import type { InboundRequest } from '@switchboard/providers';
import type { FastifyRequest } from 'fastify';
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

/** The 400 a body's numbers deserve before they reach the reservation (cost in BigInt, limits in safe integers). */
function numbersProblem(protocol: WireProtocol, json: Record<string, unknown>): DomainError | null {
  try {
    requestedMaxOutputTokens(protocol, json);
    return null;
  } catch (e) {
    if (!(e instanceof ProtocolError)) throw e;
    return new DomainError('invalid_request', e.status, e.message, e.param === undefined ? {} : { param: e.param });
  }
}

/** The relay call of a parsed body, or the 400 its body deserves (not a JSON object, a bad output budget). */
/** `pathTarget`: the model and action of a path-model call (Gemini), with what the protocol says the action does. */
export function inboundCallOf(
  protocol: WireProtocol,
  body: RawJsonBody | undefined,
  pathTarget?: { model: string; action: string; does: PathAction },
): InboundCall | DomainError {
  if (!body || body.parseError !== undefined || !body.json || typeof body.json !== 'object' || Array.isArray(body.json)) {
    return RelayErrors.malformed(body?.parseError ?? 'The request body must be a JSON object.');
  }
  const json = body.json as Record<string, unknown>;
  const bad = numbersProblem(protocol, json);
  if (bad) return bad;
  return pathTarget
    ? {
        protocol,
        operation: pathTarget.does.kind === 'embed' ? 'embed' : 'generate',
        model: pathTarget.model,
        stream: pathTarget.does.stream,
        geminiAction: pathTarget.action,
        body: json,
        raw: body.raw,
      }
    : {
        protocol,
        operation: protocolDescriptor(protocol).operation,
        model: typeof json.model === 'string' ? json.model : '',
        // Only generations stream: `stream: true` on an embeddings body is forwarded as sent and answered as JSON.
        stream: json.stream === true && protocolDescriptor(protocol).operation === 'generate',
        body: json,
        raw: body.raw,
      };
}
