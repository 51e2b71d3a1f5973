import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { renderError } from '@switchboard/protocols';
import { newRequestId } from '../relay/request-id';
import { REALTIME_PATHS } from './realtime-handshake';
import type { RealtimeService } from './realtime.service';

/**
 * Realtime's place on the HTTP server. An upgrade request never reaches fastify's router: the server's `upgrade`
 * event is the relay's (RealtimeService). A plain GET of its paths gets 426 in OpenAI's error shape, not a 404.
 */
export function registerRealtimeRoutes(fastify: FastifyInstance, server: Server, realtime: RealtimeService): void {
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => realtime.handleUpgrade(req, socket, head));
  for (const url of REALTIME_PATHS) {
    fastify.get(url, (_req, reply) => {
      const requestId = newRequestId();
      const out = renderError(
        'openai-realtime',
        { status: 426, message: `${url} is a WebSocket endpoint: open it with an upgrade request.`, code: 'upgrade_required' },
        requestId,
      );
      void reply
        .status(426)
        .headers({ ...out.headers, upgrade: 'websocket', connection: 'Upgrade' })
        .send(JSON.stringify(out.body));
    });
  }
}
