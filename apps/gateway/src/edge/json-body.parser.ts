import { fastify as fastifyFactory, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { RawJsonBody } from '../relay/inbound';

/** The bytes (forwarded untouched when no conversion is needed) beside the parsed JSON; never throws. */
export function parseJsonBody(raw: Buffer): RawJsonBody {
  if (raw.length === 0) return { raw, json: undefined, parseError: 'The request body is empty; a JSON object is required.' };
  try {
    return { raw, json: JSON.parse(raw.toString('utf8')) as unknown };
  } catch (e) {
    return { raw, json: undefined, parseError: `The request body is not valid JSON: ${(e as Error).message}` };
  }
}

/**
 * Keeps the request's bytes (forwarded untouched when no conversion is needed) beside the parsed JSON. A body
 * that does not parse is not an error here: the route renders it in its own protocol's shape.
 */
export function installJsonBodyParser(fastify: FastifyInstance, bodyLimit: number): void {
  fastify.removeContentTypeParser(['application/json', 'text/plain']);
  fastify.addContentTypeParser(['application/json', 'text/plain'], { parseAs: 'buffer', bodyLimit }, (_req, body, done) => {
    done(null, parseJsonBody(body as Buffer));
  });
  // Clients that send JSON without a content type still get a JSON reading.
  fastify.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (_req, body, done) => done(null, parseJsonBody(body as Buffer)));
}

const { FST_ERR_CTP_BODY_TOO_LARGE, FST_ERR_CTP_INVALID_CONTENT_LENGTH } = fastifyFactory.errorCodes;

/**
 * The same reading as the parsers above get from fastify (its `rawBody` with `parseAs: 'buffer'`), for the hot
 * relay routes that read their body themselves (see relay.routes.ts): the same limit (413 before reading when the
 * declared length is over it, or as soon as the bytes are), the same 400 on a length mismatch or a broken stream,
 * and `undefined` when the request carries no body at all (no content type, no length, no transfer encoding), as
 * fastify then skips parsing. Errors are fastify's own, so the error handler renders them exactly as before.
 */
export function readJsonBody(req: FastifyRequest, limit: number, done: (err: Error | null, body: RawJsonBody | undefined) => void): void {
  const headers = req.headers;
  const contentLength = headers['content-length'];
  if (headers['content-type'] === undefined && (contentLength === undefined || contentLength === '0') && headers['transfer-encoding'] === undefined) {
    done(null, undefined);
    return;
  }
  const declared = Number(contentLength);
  if (declared > limit) {
    done(new FST_ERR_CTP_BODY_TOO_LARGE(), undefined);
    return;
  }
  const payload = req.raw;
  const chunks: Buffer[] = [];
  let received = 0;
  const off = () => {
    payload.removeListener('data', onData);
    payload.removeListener('end', onEnd);
    payload.removeListener('error', onEnd);
  };
  function onData(chunk: Buffer): void {
    received += chunk.length;
    if (received > limit) {
      off();
      done(new FST_ERR_CTP_BODY_TOO_LARGE(), undefined);
      return;
    }
    chunks.push(chunk);
  }
  function onEnd(err?: Error & { statusCode?: number }): void {
    off();
    if (err != null) {
      if (!(typeof err.statusCode === 'number' && err.statusCode >= 400)) err.statusCode = 400;
      done(err, undefined);
      return;
    }
    if (!Number.isNaN(declared) && received !== declared) {
      done(new FST_ERR_CTP_INVALID_CONTENT_LENGTH(), undefined);
      return;
    }
    done(null, parseJsonBody(Buffer.concat(chunks, received)));
  }
  payload.on('data', onData);
  payload.on('end', onEnd);
  payload.on('error', onEnd);
  payload.resume();
}
