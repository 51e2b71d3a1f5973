export * from './metrics';
export * from './health.controller';
