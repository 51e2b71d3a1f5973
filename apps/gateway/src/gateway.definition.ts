import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ServiceDefinition } from '@switchboard/runtime';
import { KeyAuthenticator } from './auth/key-authenticator';
import { registerConsoleRoutes } from './console/console.routes';
import { registerApiReferenceAssets } from './docs/api-reference.routes';
import { installKeyBeforeBody } from './edge/edge.hooks';
import { renderFrameworkError } from './edge/edge-error.filter';
import { installJsonBodyParser } from './edge/json-body.parser';
import { GatewayModule } from './gateway.module';
import { RealtimeService } from './realtime/realtime.service';
import { RelayService } from './relay/relay.service';
import { HOT_RELAY_URLS, registerRelayRoutes } from './relay/relay.routes';

export function configureGateway(
  app: Parameters<NonNullable<ServiceDefinition['configure']>>[0],
  config: Parameters<NonNullable<ServiceDefinition['configure']>>[1],
): void {
  const fastify = app.getHttpAdapter().getInstance();
  const rules = { limit: config.MAX_BODY_BYTES, maxDepth: config.MAX_JSON_DEPTH };
  const auth = app.get(KeyAuthenticator);
  installKeyBeforeBody(fastify, auth, HOT_RELAY_URLS);
  installJsonBodyParser(fastify, rules);
  registerRelayRoutes(fastify, app.get(RelayService), auth, rules);
  // WebSocket upgrades never reach fastify's router: the server's `upgrade` event is the Realtime relay's.
  const realtime = app.get(RealtimeService);
  app.getHttpServer().on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => realtime.handleUpgrade(req, socket, head));
  registerConsoleRoutes(fastify);
  registerApiReferenceAssets(fastify);
}

export const gatewayService: ServiceDefinition = {
  name: 'gateway',
  features: [GatewayModule],
  database: false,
  configure: configureGateway,
  frameworkErrors: renderFrameworkError,
};
