import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { IDENTITY_PROPERTY, type KeyAuthenticator } from '../auth/key-authenticator';
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
 * `except`: routes that identify the key themselves (the hot relay routes, inside their trace span).
 */
export function installKeyBeforeBody(fastify: FastifyInstance, auth: KeyAuthenticator, except: ReadonlySet<string>): void {
  // Declared, so every request object is built with the slot (no shape change when identify() fills it).
  fastify.decorateRequest(IDENTITY_PROPERTY, null);
  fastify.addHook('onRequest', (req, _reply, done) => {
    if ((req.method !== 'POST' && req.method !== 'GET') || except.has(req.routeOptions.url ?? '') || protocolOfPath(req.url) === null) {
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
 * An answer sent before the request's body has arrived (401, 413, a broken body) must reach a client that is still
 * writing. Closing at once (what fastify and Node do) makes that client fail with EPIPE/ECONNRESET instead of reading
 * the answer, so the rest of the body is read and thrown away, up to DISCARD_LIMIT_BYTES:
 * - a keep-alive client keeps its connection (no `connection: close`), and can send its next request after the body;
 * - a connection that closes after the answer (the client asked for it) is half-closed: the answer and our FIN go out,
 *   the client's body is read to its end, then the socket is closed.
 * A body declared larger than the bound is not waited for: the connection closes after the answer, as before.
 * Called by the error renderer (every early refusal is an error), before the answer is sent.
 */
export function releaseUnreadBody(req: FastifyRequest, reply: FastifyReply): void {
  const raw = req.raw;
  if (raw.complete || Number(req.headers['content-length']) > DISCARD_LIMIT_BYTES) return;
  reply.removeHeader('connection');
  discardRest(raw);
}

function discardRest(raw: IncomingMessage): void {
  const socket: Socket | null = raw.socket;
  if (!socket) return;
  let seen = 0;
  const onData = (chunk: Buffer) => {
    seen += chunk.length;
    if (seen > DISCARD_LIMIT_BYTES) {
      raw.off('data', onData);
      socket.destroy();
    }
  };
  // Node ends a closing connection with socket.destroySoon() once the answer is written, which also stops reading:
  // for this one exchange it only ends our side, and the socket goes once the client's body has been read.
  let bodyDone = false;
  const unpatch = () => Reflect.deleteProperty(socket, 'destroySoon'); // back to net.Socket's own
  socket.destroySoon = function halfClose() {
    unpatch();
    socket.end();
    if (bodyDone) socket.destroySoon();
    else raw.once('end', () => socket.destroySoon());
  };
  raw.on('data', onData);
  raw.once('end', () => {
    bodyDone = true;
    raw.off('data', onData);
    if (Object.hasOwn(socket, 'destroySoon')) unpatch();
  });
  raw.resume();
}
