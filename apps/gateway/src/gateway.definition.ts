import type { ServiceDefinition } from '@switchboard/runtime';
import { installJsonBodyParser } from './edge/json-body.parser';
import { GatewayModule } from './gateway.module';

export function configureGateway(app: Parameters<NonNullable<ServiceDefinition['configure']>>[0], config: Parameters<NonNullable<ServiceDefinition['configure']>>[1]): void {
  installJsonBodyParser(app.getHttpAdapter().getInstance(), config.MAX_BODY_BYTES);
}

export const gatewayService: ServiceDefinition = { name: 'gateway', features: [GatewayModule], database: false, configure: configureGateway };
