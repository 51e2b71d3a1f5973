import type { ServiceDefinition } from '@switchboard/runtime';
import { installJsonBodyParser } from './edge/json-body.parser';
import { GatewayModule } from './gateway.module';
import { RelayService } from './relay/relay.service';
import { registerRelayRoutes } from './relay/relay.routes';

export function configureGateway(app: Parameters<NonNullable<ServiceDefinition['configure']>>[0], config: Parameters<NonNullable<ServiceDefinition['configure']>>[1]): void {
  const fastify = app.getHttpAdapter().getInstance();
  installJsonBodyParser(fastify, config.MAX_BODY_BYTES);
  registerRelayRoutes(fastify, app.get(RelayService), config.MAX_BODY_BYTES);
}

export const gatewayService: ServiceDefinition = { name: 'gateway', features: [GatewayModule], database: false, configure: configureGateway };
