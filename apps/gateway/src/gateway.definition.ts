import type { ServiceDefinition } from '@switchboard/runtime';
import { KeyAuthenticator } from './auth/key-authenticator';
import { registerConsoleRoutes } from './console/console.routes';
import { registerApiReferenceAssets } from './docs/api-reference.routes';
import { installKeyBeforeBody } from './edge/edge.hooks';
import { renderFrameworkError } from './edge/edge-error.filter';
import { installJsonBodyParser } from './edge/json-body.parser';
import { GatewayModule } from './gateway.module';
import { McpGatewayService } from './mcp/mcp-gateway.service';
import { registerMcpRoutes } from './mcp/mcp.routes';
import { registerRealtimeRoutes } from './realtime/realtime.routes';
import { RealtimeService } from './realtime/realtime.service';
import { RelayService } from './relay/relay.service';
import { HOT_RELAY_URLS, registerRelayRoutes } from './relay/relay.routes';
import { TokenCountService } from './relay/token-count.service';

/** A file of an upload past this is spooled to disk: a few concurrent 25 MB uploads must not cost 25 MB of heap each. */
const UPLOAD_MEMORY_BYTES = 1024 * 1024;

export function configureGateway(
  app: Parameters<NonNullable<ServiceDefinition['configure']>>[0],
  config: Parameters<NonNullable<ServiceDefinition['configure']>>[1],
): void {
  const fastify = app.getHttpAdapter().getInstance();
  const rules = { limit: config.MAX_BODY_BYTES, maxDepth: config.MAX_JSON_DEPTH };
  const auth = app.get(KeyAuthenticator);
  installKeyBeforeBody(fastify, auth, HOT_RELAY_URLS);
  installJsonBodyParser(fastify, rules);
  registerRelayRoutes(fastify, app.get(RelayService), auth, app.get(TokenCountService), rules, {
    maxBytes: config.MAX_UPLOAD_BYTES,
    memoryBytes: UPLOAD_MEMORY_BYTES,
  });
  registerRealtimeRoutes(fastify, app.getHttpServer(), app.get(RealtimeService));
  registerMcpRoutes(fastify, app.get(McpGatewayService));
  registerConsoleRoutes(fastify);
  registerApiReferenceAssets(fastify);
}

export const gatewayService: ServiceDefinition = {
  name: 'gateway',
  features: [GatewayModule],
  database: false,
  configure: configureGateway,
  frameworkErrors: renderFrameworkError,
  // GATEWAY_WORKERS > 1: that many replicas on one port; Redis and NATS already share everything between them
  relay: { features: [GatewayModule], primaryFeatures: [] },
};
