export { GatewayModule } from './gateway.module';
export { gatewayService, configureGateway } from './gateway.definition';
export { renderFrameworkError } from './edge/edge-error.filter';
export { MemorySessionStore } from './session/memory-session.store';
export { serveSessionStoreCall } from './session/remote-session.store';
export { MemoryAnswerCache } from './plugins/cache/memory-answer.cache';
export { serveAnswerCacheCall } from './plugins/cache/remote-answer.cache';
