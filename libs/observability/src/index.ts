export * from './metrics';
export * from './health.controller';
export * from './drain';
export * from './tracing';
export * from './tracing.interceptor';
export * from './json.logger';
export * from './log-throttle';
