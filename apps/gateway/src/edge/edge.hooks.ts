import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { KeyAuthenticator } from '../auth/key-authenticator';
import { protocolOfPath } from './protocol-of-path';

/**
 * How much of a refused request's unread body is read and thrown away so that the client, still writing, gets to
 * read the answer (closing at once makes it fail with EPIPE/ECONNRESET instead). Past it, or past
 * HTTP_REQUEST_TIMEOUT_MS, the connection is dropped.
 */
export const DISCARD_LIMIT_BYTES = 64 * 1024 * 1024;

/**
 * Relay endpoints identify the key from the headers before the body is read: a request without a valid key gets its
 * 401 (or the throttle's 429) without its body being buffered and parsed. The route's own check reuses the answer.
 */
export function installKeyBeforeBody(fastify: FastifyInstance, auth: KeyAuthenticator): void {
  fastify.addHook('onRequest', (req, _reply, done) => {
    if ((req.method !== 'POST' && req.method !== 'GET') || protocolOfPath(req.url) === null) {
      done();
      return;
    }
    auth.identify(req).then(
      () => done(),
      (e: Error) => done(e),
    );
  });
}

/**
 * An answer sent before the request's body has arrived (401, 413, a broken body) keeps the connection open and
 * discards the rest of the body, up to DISCARD_LIMIT_BYTES, so that the client reads the answer rather than a reset.
 * A body declared larger than that bound is not waited for: the connection closes after the answer.
 */
export function installGracefulRefusal(fastify: FastifyInstance): void {
  fastify.addHook('onSend', (req, reply, payload, done) => {
    const raw = req.raw;
    if (!raw.complete && !(Number(req.headers['content-length']) > DISCARD_LIMIT_BYTES)) {
      reply.removeHeader('connection');
      discardRest(raw);
    }
    done(null, payload);
  });
}

function discardRest(raw: IncomingMessage): void {
  let seen = 0;
  const onData = (chunk: Buffer) => {
    seen += chunk.length;
    if (seen > DISCARD_LIMIT_BYTES) {
      raw.off('data', onData);
      raw.socket?.destroy();
    }
  };
  raw.on('data', onData);
  raw.once('end', () => raw.off('data', onData));
  raw.resume();
}
