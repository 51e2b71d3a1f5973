export { GatewayModule } from './gateway.module';
export { gatewayService, configureGateway } from './gateway.definition';
