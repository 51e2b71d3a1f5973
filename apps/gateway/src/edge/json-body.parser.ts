import { isUtf8 } from 'node:buffer';
import { fastify as fastifyFactory, type FastifyInstance, type FastifyRequest } from 'fastify';
import sjson from 'secure-json-parse';
import type { RawJsonBody } from '../relay/inbound';

/** What a request body may be: its size (413 past it) and how deep its JSON may nest (400 past it). */
export interface BodyRules {
  limit: number;
  maxDepth: number;
}

// A key that would set an object's prototype (`__proto__`, `constructor.prototype`) fails the parse: converters and
// merges (Object.assign, paramOverride) must never meet one. secure-json-parse checks with two regex passes over the
// text; a body that cannot spell such a key (neither word, and no \u escape to spell it with) skips them.
const SAFE_PARSE = { protoAction: 'error', constructorAction: 'error' } as const;

function parseJson(text: string): unknown {
  if (!text.includes('__proto__') && !text.includes('constructor') && !text.includes('\\u')) return JSON.parse(text);
  return sjson.parse(text, undefined, SAFE_PARSE);
}

/**
 * Whether JSON text nests objects/arrays deeper than `max`, scanned before parsing so that a hostile body never
 * becomes a value that recursive code (converters, token estimates) walks into a stack overflow. Strings are
 * skipped with a native indexOf, so the loop only visits the bytes between them.
 */
export function jsonDeeperThan(raw: Buffer, max: number): boolean {
  let depth = 0;
  const n = raw.length;
  for (let i = 0; i < n; i++) {
    const c = raw[i];
    if (c === 0x22) {
      // to the closing quote: one not preceded by an odd number of backslashes
      let j = i;
      for (;;) {
        j = raw.indexOf(0x22, j + 1);
        if (j < 0) return false; // unterminated: the parse reports it
        let k = j - 1;
        while (raw[k] === 0x5c) k--;
        if ((j - 1 - k) % 2 === 0) break;
      }
      i = j;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return false;
}

/**
 * The bytes (forwarded untouched when no conversion is needed) beside the parsed JSON; never throws. Refused here,
 * as a parse error the route renders in its protocol's shape: an empty body, invalid UTF-8 (vendors answer 400, and
 * a relayed body must be text), nesting deeper than `maxDepth`, prototype keys, and anything JSON.parse refuses.
 */
export function parseJsonBody(raw: Buffer, maxDepth: number): RawJsonBody {
  if (raw.length === 0) return { raw, json: undefined, parseError: 'The request body is empty; a JSON object is required.' };
  if (!isUtf8(raw)) return { raw, json: undefined, parseError: 'The request body is not valid UTF-8.' };
  if (jsonDeeperThan(raw, maxDepth)) return { raw, json: undefined, parseError: `The request body nests JSON deeper than ${maxDepth} levels.` };
  try {
    return { raw, json: parseJson(raw.toString('utf8')) };
  } catch (e) {
    const message = (e as Error).message;
    if (message.startsWith('Object contains forbidden prototype property')) {
      return { raw, json: undefined, parseError: 'The request body contains a forbidden key ("__proto__" or "constructor.prototype").' };
    }
    return { raw, json: undefined, parseError: `The request body is not valid JSON: ${message}` };
  }
}

/**
 * Keeps the request's bytes (forwarded untouched when no conversion is needed) beside the parsed JSON. A body
 * that does not parse is not an error here: the route renders it in its own protocol's shape.
 */
export function installJsonBodyParser(fastify: FastifyInstance, rules: BodyRules): void {
  const parse = (_req: FastifyRequest, body: string | Buffer, done: (err: Error | null, body?: unknown) => void) =>
    done(null, parseJsonBody(body as Buffer, rules.maxDepth));
  fastify.removeContentTypeParser(['application/json', 'text/plain']);
  fastify.addContentTypeParser(['application/json', 'text/plain'], { parseAs: 'buffer', bodyLimit: rules.limit }, parse);
  // Clients that send JSON without a content type still get a JSON reading.
  fastify.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: rules.limit }, parse);
}

const { FST_ERR_CTP_BODY_TOO_LARGE, FST_ERR_CTP_INVALID_CONTENT_LENGTH } = fastifyFactory.errorCodes;

/**
 * The same reading as the parsers above get from fastify (its `rawBody` with `parseAs: 'buffer'`), for the hot
 * relay routes that read their body themselves (see relay.routes.ts): the same limit (413 before reading when the
 * declared length is over it, or as soon as the bytes are), the same 400 on a length mismatch or a broken stream,
 * and `undefined` when the request carries no body at all (no content type, no length, no transfer encoding), as
 * fastify then skips parsing. Errors are fastify's own, so the error handler renders them exactly as before.
 */
export function readJsonBody(req: FastifyRequest, rules: BodyRules, done: (err: Error | null, body: RawJsonBody | undefined) => void): void {
  const limit = rules.limit;
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
    done(null, parseJsonBody(Buffer.concat(chunks, received), rules.maxDepth));
  }
  payload.on('data', onData);
  payload.on('end', onEnd);
  payload.on('error', onEnd);
  payload.resume();
}
