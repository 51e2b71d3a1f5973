import type { FastifyInstance } from 'fastify';
import type { RawJsonBody } from '../relay/inbound';

/**
 * Keeps the request's bytes (forwarded untouched when no conversion is needed) beside the parsed JSON. A body
 * that does not parse is not an error here: the route renders it in its own protocol's shape.
 */
export function installJsonBodyParser(fastify: FastifyInstance, bodyLimit: number): void {
  fastify.removeContentTypeParser(['application/json', 'text/plain']);
  const parse = (raw: Buffer): RawJsonBody => {
    if (raw.length === 0) return { raw, json: undefined, parseError: 'The request body is empty; a JSON object is required.' };
    try {
      return { raw, json: JSON.parse(raw.toString('utf8')) as unknown };
    } catch (e) {
      return { raw, json: undefined, parseError: `The request body is not valid JSON: ${(e as Error).message}` };
    }
  };
  fastify.addContentTypeParser(['application/json', 'text/plain'], { parseAs: 'buffer', bodyLimit }, (_req, body, done) => {
    done(null, parse(body as Buffer));
  });
  // Clients that send JSON without a content type still get a JSON reading.
  fastify.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (_req, body, done) => done(null, parse(body as Buffer)));
}
