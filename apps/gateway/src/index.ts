export { GatewayModule } from './gateway.module';
export { gatewayService, configureGateway } from './gateway.definition';
export { renderFrameworkError } from './edge/edge-error.filter';
